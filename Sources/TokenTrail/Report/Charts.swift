import Foundation

/// Inline SVG charts: no script, no external resource, every label escaped. Each chart
/// scales to the page width (viewBox) and prints.
enum Charts {
    static let palette = ["#3b6fb6", "#ef8a00", "#7b4fa0", "#2a9d8f", "#b5485d", "#6d7f2a", "#8a5a00", "#4f5d75"]

    /// Colours that mean something keep their meaning in every chart.
    static func color(_ series: String, _ index: Int) -> String {
        switch series {
        case "success": return "#2e7d32"
        case "failure": return "#c62828"
        case "unknown", "?": return "#8a94a6"
        case "critical": return "#7a0010"
        case "high": return "#c62828"
        case "medium": return "#ef8a00"
        case "low": return "#2e7d32"
        case "info": return "#607d8b"
        default: return palette[index % palette.count]
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.1f", value)
    }

    /// Horizontal bars: one per label.
    static func bars(_ items: [(label: String, value: Double)], title: String) -> String {
        guard !items.isEmpty else { return "" }
        let e = HTML.escape
        let width = 900.0, row = 26.0, labelWidth = 260.0
        let maximum = max(items.map(\.value).max() ?? 1, 1)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(row * Double(items.count) + 8))\" role=\"img\" aria-label=\"\(e(title))\"><title>\(e(title))</title>"
        for (i, item) in items.enumerated() {
            let y = Double(i) * row + 4
            let w = max(1, (width - labelWidth - 80) * item.value / maximum)
            svg += "<text x=\"\(Int(labelWidth - 8))\" y=\"\(Int(y + 16))\" text-anchor=\"end\">\(e(String(item.label.prefix(40))))</text>"
            svg += "<rect x=\"\(Int(labelWidth))\" y=\"\(Int(y + 3))\" width=\"\(Int(w))\" height=\"\(Int(row - 8))\" fill=\"\(color(item.label, i))\"/>"
            svg += "<text x=\"\(Int(labelWidth + w + 6))\" y=\"\(Int(y + 16))\">\(e(number(item.value)))</text>"
        }
        return svg + "</svg>"
    }

    /// Series over an x axis (days, hours), as stacked bars or lines.
    struct Series {
        var xs: [String] = []
        var names: [String] = []
        var values: [String: [String: Double]] = [:]   // x → series → value

        init(_ rows: [[SQLValue]]) {
            var seenX: Set<String> = [], seenName: Set<String> = []
            for row in rows where row.count >= 3 {
                let x = row[0].string ?? "?", name = row[1].string ?? "?"
                guard let value = Double(row[2].string ?? "") else { continue }
                if seenX.insert(x).inserted { xs.append(x) }
                if seenName.insert(name).inserted { names.append(name) }
                values[x, default: [:]][name, default: 0] += value
            }
            xs.sort()
        }
    }

    static let plot = (width: 900.0, height: 240.0, left: 56.0, bottom: 34.0, top: 10.0)

    static func frame(_ title: String, legend: [String], body: String, xs: [String], yMin: Double, yMax: Double) -> String {
        let e = HTML.escape
        let p = plot
        // The legend wraps onto as many rows as it needs: a series never lands outside the chart.
        var placed: [(name: String, x: Double, row: Int)] = []
        var lx = p.left, row = 0
        for name in legend {
            let width = 30 + Double(min(name.count, 30)) * 7.5
            if lx + width > p.width && lx > p.left { lx = p.left; row += 1 }
            placed.append((name, lx, row))
            lx += width
        }
        let legendHeight = 22.0 * Double(row + 1)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(p.width)) \(Int(p.height + legendHeight))\" role=\"img\" aria-label=\"\(e(title))\"><title>\(e(title))</title>"
        // y axis: zero, and the extremes
        // Axis labels at zero and the extremes, leaving out one too close to zero to read.
        let range = max(yMax - yMin, 1e-9)
        for value in Set([yMin, 0, yMax]).sorted() where value >= yMin && value <= yMax && (value == 0 || abs(value) / range > 0.08) {
            let y = y(value, yMin, yMax)
            svg += "<line x1=\"\(Int(p.left))\" x2=\"\(Int(p.width))\" y1=\"\(Int(y))\" y2=\"\(Int(y))\" class=\"grid\"/>"
            svg += "<text x=\"\(Int(p.left - 6))\" y=\"\(Int(y + 4))\" text-anchor=\"end\">\(e(number(value)))</text>"
        }
        svg += body
        // x labels: first, middle, last
        let labelled = xs.isEmpty ? [] : Array(Set([0, xs.count / 2, xs.count - 1])).sorted()
        for i in labelled {
            svg += "<text x=\"\(Int(x(i, xs.count)))\" y=\"\(Int(p.height - p.bottom + 18))\" text-anchor=\"middle\">\(e(String(xs[i].prefix(16))))</text>"
        }
        for (i, item) in placed.enumerated() {
            let top = p.height + 4 + 22 * Double(item.row)
            svg += "<rect x=\"\(Int(item.x))\" y=\"\(Int(top))\" width=\"12\" height=\"12\" fill=\"\(color(item.name, i))\"/>"
            svg += "<text x=\"\(Int(item.x + 16))\" y=\"\(Int(top + 10))\">\(e(String(item.name.prefix(30))))</text>"
        }
        return svg + "</svg>"
    }

    static func x(_ i: Int, _ count: Int) -> Double {
        let p = plot
        let step = (p.width - p.left - 10) / Double(max(count, 1))
        return p.left + step * (Double(i) + 0.5)
    }

    static func y(_ value: Double, _ yMin: Double, _ yMax: Double) -> Double {
        let p = plot
        let span = max(yMax - yMin, 1e-9)
        return p.top + (p.height - p.bottom - p.top) * (1 - (value - yMin) / span)
    }

    static func stacked(_ s: Series, title: String) -> String {
        guard !s.xs.isEmpty else { return "" }
        let totals = s.xs.map { x in s.names.reduce(0) { $0 + (s.values[x]?[$1] ?? 0) } }
        let yMax = max(totals.max() ?? 1, 1)
        let barWidth = max(1, (plot.width - plot.left - 10) / Double(s.xs.count) * 0.8)
        var body = ""
        for (i, x) in s.xs.enumerated() {
            var base = 0.0
            for (n, name) in s.names.enumerated() {
                let value = s.values[x]?[name] ?? 0
                guard value > 0 else { continue }
                let top = y(base + value, 0, yMax), bottom = y(base, 0, yMax)
                body += "<rect x=\"\(Int(Self.x(i, s.xs.count) - barWidth / 2))\" y=\"\(Int(top))\" width=\"\(Int(barWidth))\" height=\"\(max(1, Int(bottom - top)))\" fill=\"\(color(name, n))\"><title>\(HTML.escape("\(x) \(name): \(number(value))"))</title></rect>"
                base += value
            }
        }
        return frame(title, legend: s.names, body: body, xs: s.xs, yMin: 0, yMax: yMax)
    }

    static func line(_ s: Series, title: String) -> String {
        guard !s.xs.isEmpty else { return "" }
        let all = s.values.values.flatMap(\.values)
        let yMin = min(all.min() ?? 0, 0), yMax = max(all.max() ?? 1, 1)
        var body = ""
        for (n, name) in s.names.enumerated() {
            var points: [String] = []
            for (i, x) in s.xs.enumerated() {
                guard let value = s.values[x]?[name] else { continue }
                points.append("\(Int(Self.x(i, s.xs.count))),\(Int(y(value, yMin, yMax)))")
            }
            body += "<polyline fill=\"none\" stroke=\"\(color(name, n))\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"><title>\(HTML.escape(name))</title></polyline>"
        }
        return frame(title, legend: s.names, body: body, xs: s.xs, yMin: yMin, yMax: yMax)
    }
}
