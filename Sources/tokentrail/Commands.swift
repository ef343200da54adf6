import Foundation
import TokenTrail

/// Each command is declared once: its name, what it takes, its options with their value and
/// default, a one-line summary and an example. Parsing, `tokentrail COMMAND --help`,
/// `tokentrail --help` and the usage shown with a usage error all derive from it.
struct CommandSpec {
    struct Option {
        let name: String
        /// The value's placeholder (`FILE`, `T`); nil for a flag, which takes none.
        let value: String?
        let defaultText: String?
        let help: String

        init(_ name: String, _ value: String, default defaultText: String? = nil, _ help: String) {
            (self.name, self.value, self.defaultText, self.help) = (name, value, defaultText, help)
        }

        /// A flag: takes no value.
        init(flag name: String, _ help: String) {
            (self.name, self.value, self.defaultText, self.help) = (name, nil, nil, help)
        }
    }

    let name: String
    /// Positional arguments as shown in the usage line (`INPUT...`), empty for none.
    let positional: String
    let summary: String
    let options: [Option]
    let example: String
    let run: (ParsedArguments) -> Never

    var usageLine: String {
        let parts = options.map { option in option.value.map { "[\(option.name) \($0)]" } ?? "[\(option.name)]" }
        var lines: [String] = []
        var line = "tokentrail \(name)" + (positional.isEmpty ? "" : " " + positional)
        let indent = String(repeating: " ", count: line.count + 1)
        for part in parts {
            if line.count + part.count + 1 > 96 { lines.append(line); line = indent + part } else { line += " " + part }
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }

    /// `tokentrail COMMAND --help`: usage, summary, options with defaults, an example.
    var help: String {
        var out = "usage: \(usageLine)\n\n\(summary)\n"
        if !options.isEmpty {
            out += "\noptions:\n"
            let width = options.map { $0.name.count + ($0.value.map { $0.count + 1 } ?? 0) }.max() ?? 0
            for option in options {
                let head = option.name + (option.value.map { " " + $0 } ?? "")
                out += "  " + head.padding(toLength: width + 2, withPad: " ", startingAt: 0) + option.help
                if let defaultText = option.defaultText { out += " (default: \(defaultText))" }
                out += "\n"
            }
        }
        return out + "\nexample:\n  \(example)\n"
    }

    /// Splits arguments into positionals and options by this declaration; an unknown option
    /// or a missing value is a usage error that shows this command's usage.
    func parse(_ args: ArraySlice<String>) -> ParsedArguments {
        var parsed = ParsedArguments()
        let byName = Dictionary(options.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var i = args.startIndex
        while i < args.endIndex {
            var arg = args[i]
            var inline: String?
            if arg == "--help" || arg == "-h" { print(help, terminator: ""); exit(0) }
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                inline = String(arg[arg.index(after: eq)...])
                arg = String(arg[..<eq])
            }
            if let option = byName[arg] {
                if option.value == nil {
                    parsed.flags.insert(arg)
                } else if let inline {
                    parsed.values[arg] = inline
                    parsed.lists[arg, default: []].append(inline)
                } else {
                    guard i + 1 < args.endIndex else { usageError("\(arg) needs a value", self) }
                    i += 1
                    parsed.values[arg] = args[i]
                    parsed.lists[arg, default: []].append(args[i])
                }
            } else if arg == "--" {
                parsed.positional.append(contentsOf: args[(i + 1)...])
                break
            } else if arg.hasPrefix("-") && arg != "-" {
                usageError("unknown option \(arg)", self)
            } else {
                parsed.positional.append(arg)
            }
            i += 1
        }
        return parsed
    }
}

struct ParsedArguments {
    var positional: [String] = []
    var values: [String: String] = [:]
    /// Every value of an option given more than once (`--iocs A --iocs B`), in order.
    var lists: [String: [String]] = [:]
    var flags: Set<String> = []
}

/// `tokentrail --help`: every command with its summary.
func overviewHelp(_ commands: [CommandSpec]) -> String {
    let width = commands.map(\.name.count).max() ?? 0
    var out = "usage: tokentrail COMMAND [options]   (tokentrail COMMAND --help for its options)\n\ncommands:\n"
    for command in commands {
        out += "  " + command.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + command.summary + "\n"
    }
    return out + "\n  --help, --version\n\nexit codes: 0 ran, 1 a finding at or above --fail-on, 2 bad input, config or I/O, 64 usage error\n"
}

/// The command being run, for usage errors raised while it runs, and every command (for
/// the overview); set once by main before anything runs.
nonisolated(unsafe) var activeCommand: CommandSpec?
nonisolated(unsafe) var allCommands: [CommandSpec] = []

/// A usage error: the message, then the command's own usage (or the overview), exit 64.
func usageError(_ message: String, _ command: CommandSpec? = activeCommand) -> Never {
    let usage = command.map { "usage: \($0.usageLine)\n(tokentrail \($0.name) --help for details)\n" } ?? overviewHelp(allCommands)
    FileHandle.standardError.write(Data(("tokentrail: " + message + "\n\n" + usage).utf8))
    exit(64)
}
