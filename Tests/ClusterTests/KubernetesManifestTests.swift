import Foundation
import Testing
import Yams

/// The manifests in `cluster/kubernetes` hang together: names, labels, ports and volumes that one
/// resource uses are those that another defines.
struct KubernetesManifestTests {
    @Test func everyManifestHasAnAPIVersionAKindAndAName() throws {
        let manifests = try Manifests()
        #expect(!manifests.documents.isEmpty)
        for document in manifests.documents {
            let version = document.object["apiVersion"] as? String
            #expect(version == "v1" || version == "apps/v1", "\(document.file): apiVersion \(version ?? "missing")")
            #expect(document.kind != nil, "\(document.file): no kind")
            #expect(document.name?.isEmpty == false, "\(document.file): no metadata.name")
            if document.kind == "Deployment" { #expect(version == "apps/v1", "\(document.file)") }
        }
    }

    @Test func theExpectedKindsArePresent() throws {
        let manifests = try Manifests()
        #expect(manifests.all("Deployment").count == 2)
        #expect(manifests.all("Service").count == 1)
        #expect(manifests.all("PersistentVolumeClaim").count >= 1)
        #expect(manifests.all("ConfigMap").count == 1)
        #expect(manifests.deployment(component: "coordinator") != nil)
        #expect(manifests.deployment(component: "worker") != nil)
        let names = manifests.documents.map { "\($0.kind ?? "")/\($0.name ?? "")" }
        #expect(Set(names).count == names.count, "a kind/name pair defined twice: \(names)")
    }

    @Test func deploymentsSelectTheirOwnPods() throws {
        for deployment in try Manifests().all("Deployment") {
            let selector = Manifests.labels(Manifests.value(deployment.object, "spec", "selector", "matchLabels"))
            let labels = Manifests.podLabels(deployment)
            #expect(!selector.isEmpty, "\(deployment.file): no spec.selector.matchLabels")
            for (key, value) in selector {
                #expect(labels[key] == value, "\(deployment.file): selector \(key)=\(value) misses the pod labels")
            }
        }
    }

    @Test func theServiceSelectsTheCoordinatorPodsAndNotTheWorkers() throws {
        let manifests = try Manifests()
        let service = try #require(manifests.all("Service").first)
        let coordinator = try #require(manifests.deployment(component: "coordinator"))
        let worker = try #require(manifests.deployment(component: "worker"))
        let selector = Manifests.labels(Manifests.value(service.object, "spec", "selector"))
        #expect(!selector.isEmpty)
        let coordinatorLabels = Manifests.podLabels(coordinator)
        #expect(selector.allSatisfy { coordinatorLabels[$0.key] == $0.value }, "\(selector) vs \(coordinatorLabels)")
        let workerLabels = Manifests.podLabels(worker)
        #expect(!selector.allSatisfy { workerLabels[$0.key] == $0.value }, "the Service also selects the workers")
    }

    @Test func workersConnectToTheServiceThatReachesTheCoordinatorsBindPort() throws {
        let manifests = try Manifests()
        let service = try #require(manifests.all("Service").first)
        let coordinator = try #require(manifests.deployment(component: "coordinator"))
        let worker = try #require(manifests.deployment(component: "worker"))

        let workerArguments = Manifests.arguments(try #require(Manifests.containers(worker).first))
        #expect(workerArguments.first == "worker")
        let connect = try #require(Manifests.option("--connect", in: workerArguments))
        let (host, port) = try #require(Self.hostAndPort(connect), "--connect \(connect)")
        let serviceName = try #require(service.name)
        #expect(host == serviceName || host.hasPrefix(serviceName + "."),
                "--connect \(connect) vs Service \(serviceName)")

        let ports = Manifests.value(service.object, "spec", "ports") as? [[String: Any]] ?? []
        let servicePort = try #require(ports.first { $0["port"] as? Int == port }, "no Service port \(port)")

        let container = try #require(Manifests.containers(coordinator).first)
        let containerPorts = container["ports"] as? [[String: Any]] ?? []
        let target = servicePort["targetPort"] ?? port
        let containerPort = containerPorts.first {
            ($0["name"] as? String) == (target as? String) || ($0["containerPort"] as? Int) == (target as? Int)
        }
        let targetNumber = try #require(containerPort?["containerPort"] as? Int, "targetPort \(target) names no port")

        let coordinatorArguments = Manifests.arguments(container)
        #expect(coordinatorArguments.first == "coordinator")
        let bind = try #require(Manifests.option("--bind", in: coordinatorArguments))
        #expect(Self.hostAndPort(bind)?.host == "0.0.0.0", "--bind \(bind) must listen on every interface")
        #expect(Self.hostAndPort(bind)?.port == targetNumber, "--bind \(bind) vs container port \(targetNumber)")
        #expect(coordinatorArguments.contains("--keys"), "a coordinator reachable over the network needs --keys")
    }

    @Test func theCoordinatorIsOneRecreatedReplicaAndWorkersHaveAGPUAndTimeToHandBack() throws {
        let manifests = try Manifests()
        let coordinator = try #require(manifests.deployment(component: "coordinator"))
        #expect(Manifests.value(coordinator.object, "spec", "replicas") as? Int == 1)
        #expect(Manifests.value(coordinator.object, "spec", "strategy", "type") as? String == "Recreate")

        let worker = try #require(manifests.deployment(component: "worker"))
        let container = try #require(Manifests.containers(worker).first)
        let gpus = Manifests.value(container, "resources", "limits", "nvidia.com/gpu")
        #expect("\(gpus ?? "none")" == "1")
        let grace = Manifests.podSpec(worker)["terminationGracePeriodSeconds"] as? Int ?? 30
        #expect(grace >= 60, "terminationGracePeriodSeconds \(grace): too short to hand tasks back")
        let arguments = Manifests.arguments(container)
        let threads = Manifests.option("--threads", in: arguments).flatMap(Int.init)
        let cpus = Manifests.value(container, "resources", "limits", "cpu").map { "\($0)" }.flatMap(Int.init)
        if let threads, let cpus { #expect(threads <= cpus, "--threads \(threads) over the CPU limit \(cpus)") }
    }

    @Test func theKustomizationListsEveryManifestAndOnlyThose() throws {
        let kustomization = try Manifests.kustomization()
        #expect(kustomization["kind"] as? String == "Kustomization")
        let resources = (kustomization["resources"] as? [Any] ?? []).map { "\($0)" }
        #expect(!resources.isEmpty)
        for resource in resources {
            let path = Repository.root.appendingPathComponent("\(Manifests.folder)/\(resource)").path
            #expect(FileManager.default.fileExists(atPath: path), "kustomization.yaml lists \(resource): no such file")
        }
        let manifestFiles = Set(try Manifests().documents.map { ($0.file as NSString).lastPathComponent })
        #expect(manifestFiles == Set(resources), "files and kustomization resources differ")
    }

    @Test func volumesReferToDefinedClaimsAndConfigMapsAndDocumentedSecrets() throws {
        let manifests = try Manifests()
        let readme = Repository.text("\(Manifests.folder)/README.md")
        var secrets: Set<String> = []
        for deployment in manifests.all("Deployment") {
            let volumes = Manifests.volumes(deployment)
            for volume in volumes {
                if let claim = Manifests.value(volume, "persistentVolumeClaim", "claimName") as? String {
                    #expect(manifests.find("PersistentVolumeClaim", claim) != nil,
                            "\(deployment.file): claim \(claim)")
                }
                if let map = Manifests.value(volume, "configMap", "name") as? String {
                    #expect(manifests.find("ConfigMap", map) != nil, "\(deployment.file): ConfigMap \(map)")
                }
                if let secret = Manifests.value(volume, "secret", "secretName") as? String { secrets.insert(secret) }
            }
            let names = Set(volumes.compactMap { $0["name"] as? String })
            for container in Manifests.containers(deployment) {
                for mount in container["volumeMounts"] as? [[String: Any]] ?? [] {
                    let name = mount["name"] as? String ?? ""
                    #expect(names.contains(name), "\(deployment.file): volumeMount \(name) has no volume")
                }
            }
        }
        #expect(secrets.count == 2, "a key Secret for the coordinator and one for the workers: \(secrets)")
        for secret in secrets {
            #expect(readme.contains("kubectl create secret generic \(secret) "), "README.md: how to create \(secret)")
        }
    }

    @Test func theCoordinatorServesTheSweepInTheConfigMap() throws {
        let manifests = try Manifests()
        let coordinator = try #require(manifests.deployment(component: "coordinator"))
        let container = try #require(Manifests.containers(coordinator).first)
        let arguments = Manifests.arguments(container)
        let config = try #require(arguments.dropFirst().first, "strata coordinator CONFIG")

        let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
        let mount = try #require(mounts.first { config.hasPrefix("\($0["mountPath"] ?? "")/") }, "\(config)")
        let volume = Manifests.volumes(coordinator).first { $0["name"] as? String == mount["name"] as? String }
        let mapName = try #require(Manifests.value(volume, "configMap", "name") as? String)
        let map = try #require(manifests.find("ConfigMap", mapName))
        let key = String(config.dropFirst("\(mount["mountPath"] ?? "")/".count))
        let sweepText = try #require(Manifests.value(map.object, "data", key) as? String, "ConfigMap has no \(key)")
        let sweep = try #require(try Yams.load(yaml: sweepText) as? [String: Any])
        #expect(sweep["name"] is String)
        #expect(sweep["grid"] is [String: Any])
    }

    /// `tcp://HOST:PORT` split.
    static func hostAndPort(_ endpoint: String) -> (host: String, port: Int)? {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return nil }
        let host = String(endpoint[endpoint.index(endpoint.startIndex, offsetBy: 6)..<colon])
        guard let port = Int(endpoint[endpoint.index(after: colon)...]) else { return nil }
        return (host, port)
    }
}
