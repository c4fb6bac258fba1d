import Foundation
import GRDB
import GRDBSQLite

extension StoreTransaction {
    /// Runs the cached event INSERT with its six values bound straight through SQLite's C API:
    /// the hot path of ingestion (one per event), without building `StatementArguments` or a
    /// `String` of the event JSON. An ASCII body (every event Strata writes) is bound as it is;
    /// anything else goes through `String(decoding:)`, which repairs invalid UTF-8, as before.
    func insertEvent(_ statement: Statement, task: String, attempt: Int, seq: Int, type: String, json: [UInt8]) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)  // all six values are bound again below: no need to clear the old ones
        var rc = bindText(handle, 1, task)
        if rc == SQLITE_OK { rc = sqlite3_bind_int64(handle, 2, Int64(attempt)) }
        if rc == SQLITE_OK { rc = sqlite3_bind_int64(handle, 3, Int64(seq)) }
        if rc == SQLITE_OK { rc = bindText(handle, 4, type) }
        if rc == SQLITE_OK {
            if json.allSatisfy({ $0 < 0x80 }) {
                rc = json.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) {
                        sqlite3_bind_text(handle, 5, $0.baseAddress, Int32($0.count), transient)
                    }
                }
            } else {
                rc = bindText(handle, 5, String(decoding: json, as: UTF8.self))
            }
        }
        if rc == SQLITE_OK { rc = sqlite3_bind_double(handle, 6, now) }
        if rc == SQLITE_OK { rc = sqlite3_step(handle) }
        sqlite3_reset(handle)
        guard rc == SQLITE_DONE || rc == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errstr(rc)),
                                sql: statement.sql)
        }
    }

    private func bindText(_ handle: OpaquePointer, _ index: Int32, _ text: String) -> Int32 {
        var text = text
        return text.withUTF8 { utf8 in
            guard !utf8.isEmpty else { return sqlite3_bind_text(handle, index, "", 0, transient) }  // not NULL
            return utf8.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), transient) }
        }
    }
}

/// SQLite copies the bound bytes (`SQLITE_TRANSIENT`, a macro Swift cannot import).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
