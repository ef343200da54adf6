import Foundation
import TokenTrail

// Argument parsing and exit codes only; everything else lives in the TokenTrail library.
// Exit codes (DESIGN.md): 0 ran; 1 findings at or above --fail-on; 2 bad input, config or
// I/O; 64 usage error.

let usage = """
usage:
  tokentrail scan INPUT... [--db FILE] [--report DIR] [--timezone TZ] [--policy FILE] [--quiet]
  tokentrail policy check FILE
  tokentrail --help | --version

scan      read Login History, Event Monitoring, client token logs and Okta logs (files or
          directories, .gz too), store them in the SQLite database (default tokentrail.sqlite)
          and print a summary; --report DIR also writes DIR/index.html.
--timezone  IANA zone of Setup-download times, which carry none (e.g. America/Los_Angeles)

"""

/// Messages can quote log content: control characters (terminal escapes) are neutralized.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("tokentrail: " + TerminalSummary.sanitize(message) + "\n").utf8))
}

func fail(_ message: String, code: Int32) -> Never {
    printError(message)
    exit(code)
}

func usageError(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("tokentrail: " + message + "\n\n" + usage).utf8))
    exit(64)
}

/// Splits `args` into positionals and `--name value` options; flags take no value.
func parse(_ args: ArraySlice<String>, options: Set<String>, flags: Set<String>) -> (positional: [String], values: [String: String], flags: Set<String>) {
    var positional: [String] = []
    var values: [String: String] = [:]
    var seen: Set<String> = []
    var i = args.startIndex
    while i < args.endIndex {
        var arg = args[i]
        var inline: String?
        if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
            inline = String(arg[arg.index(after: eq)...])
            arg = String(arg[..<eq])
        }
        if options.contains(arg) {
            if let inline { values[arg] = inline } else {
                guard i + 1 < args.endIndex else { usageError("\(arg) needs a value") }
                i += 1
                values[arg] = args[i]
            }
        } else if flags.contains(arg) {
            seen.insert(arg)
        } else if arg == "--" {
            positional.append(contentsOf: args[(i + 1)...])
            break
        } else if arg.hasPrefix("-") && arg != "-" {
            let later: Set<String> = ["--findings", "--since", "--until", "--fail-on", "--webhook", "--alert-on"]
            if later.contains(arg) { usageError("\(arg) is not available in this version of tokentrail") }
            usageError("unknown option \(arg)")
        } else {
            positional.append(arg)
        }
        i += 1
    }
    return (positional, values, seen)
}

func runScan(_ args: ArraySlice<String>) -> Never {
    let parsed = parse(args, options: ["--db", "--report", "--timezone", "--policy"], flags: ["--quiet", "--help"])
    if parsed.flags.contains("--help") { print(usage, terminator: ""); exit(0) }
    guard !parsed.positional.isEmpty else { usageError("scan needs at least one INPUT file or directory") }
    var request = ScanRequest(inputs: parsed.positional)
    request.databasePath = parsed.values["--db"] ?? "tokentrail.sqlite"
    request.timezone = parsed.values["--timezone"]
    request.policyPath = parsed.values["--policy"]
    request.arguments = Array(CommandLine.arguments.dropFirst())
    let quiet = parsed.flags.contains("--quiet")
    do {
        let result = try Scanner.scan(request) { file in
            if case .failed(let message) = file.status { printError(message) }
        }
        let reportDirectory = parsed.values["--report"]
        if !quiet || reportDirectory != nil {
            let db = try Database(path: request.databasePath)
            let summary = try RunSummary.load(db: db, result: result)
            var reportPath: String?
            if let reportDirectory {
                reportPath = try HTMLReport.write(summary, databasePath: request.databasePath, to: reportDirectory)
            }
            if !quiet {
                print(TerminalSummary.render(summary, databasePath: request.databasePath, reportPath: reportPath), terminator: "")
            }
        }
        if !result.failed.isEmpty {
            fail("\(result.failed.count) file(s) could not be ingested (see above); the other files were stored", code: 2)
        }
        exit(0)
    } catch let error as UsageError {
        usageError(error.message)
    } catch {
        fail("\(error)", code: 2)
    }
}

func runPolicy(_ args: ArraySlice<String>) -> Never {
    guard args.first == "check", args.count == 2 else { usageError("policy takes: check FILE") }
    do {
        let policy = try Policy.load(path: args[args.startIndex + 1])
        print("\(args[args.startIndex + 1]): valid policy, \(policy.apps.count) app(s), \(policy.rules.count) rule setting(s)")
        exit(0)
    } catch {
        fail("\(error)", code: 2)
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "scan": runScan(arguments.dropFirst())
case "policy": runPolicy(arguments.dropFirst())
case "--version", "version": print("tokentrail \(Scanner.version)"); exit(0)
case "--help", "-h", "help": print(usage, terminator: ""); exit(0)
case nil: usageError("no command given")
case let other?: usageError("unknown command '\(other)'")
}
