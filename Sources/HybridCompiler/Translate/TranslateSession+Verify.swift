import Foundation
import HybridCache
import HybridDiagnostics
import HybridTemplates
import HybridYAML

extension TranslateSession {
    /// Most rounds of withdrawing patches that do not reproduce the export.
    static let verificationRounds = 4

    /// Compiles the translated templates in a scratch copy of the assets directory (inside the
    /// cache directory) and withdraws every patch or new template whose asset does not come out
    /// as exported; repeats until everything left reproduces the export.
    func verify(deleted: Set<String>) throws(Diagnostic) {
        if edits.isEmpty && created.isEmpty && deleted.isEmpty { return }
        let scratch = workspace.cachePath + "/translate-scratch-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for _ in 0..<Self.verificationRounds {
            let contents = editedContents()
            let assets = scratch + "/assets"
            try? FileManager.default.removeItem(atPath: scratch)
            do {
                try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: workspace.assetsPath, toPath: assets)
                for (template, bytes) in contents { try AtomicFile.replace(bytes, at: assets + "/" + template) }
                for (template, bytes) in created { try AtomicFile.replace(bytes, at: assets + "/" + template) }
                for template in deleted { try? FileManager.default.removeItem(atPath: assets + "/" + template) }
            } catch {
                throw .error(at: nil, "cannot prepare translate's scratch copy in \(scratch): \(error)")
            }
            let failures = check(assets: assets, edited: Set(contents.keys))
            if failures.isEmpty { return }
            for (template, failure) in failures {
                withdraw(template, failure)
            }
        }
    }

    /// Templates (asset templates) whose translation does not reproduce the export, with why.
    private func check(assets: String, edited: Set<String>) -> [String: (path: [DocumentPathStep], why: String)] {
        var failures: [String: (path: [DocumentPathStep], why: String)] = [:]
        let engine = TemplateEnvironment(assetsDirectory: assets, displayPrefix: prefix)
        let renders = RenderMemo()
        guard let scanned = try? AssetCatalog.scan(assetsPath: assets, displayPrefix: prefix) else { return [:] }
        for bundle in export.bundles {
            let compiled = inMemory(bundle, catalog: scanned.templates, engine: engine, renders: renders)
            for diagnostic in compiled.diagnostics where diagnostic.severity == .error {
                let file = diagnostic.location?.file ?? ""
                let template = file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : file
                for culprit in culprits(of: template, edited: edited, loaded: [template]) {
                    failures[culprit] = ([], "a translation that does not compile: \(diagnostic.message)")
                }
            }
            let byUUID = compiled.byUUID
            for asset in bundle.assets {
                guard let index = byUUID[asset.uuid] else { continue }
                let item = compiled.templates[index]
                guard item.bytes != asset.bytes, unplaced[item.template.path] == nil else { continue }
                let path = item.normal.map { Self.firstDifference($0, asset.document) } ?? []
                for culprit in culprits(of: item.template.path, edited: edited, loaded: item.loaded) {
                    failures[culprit] = (path, "a change whose compiled form differs from the export")
                }
            }
        }
        return failures
    }

    /// The asset templates whose edits can have changed `template`'s output.
    private func culprits(of template: String, edited: Set<String>, loaded: [String]) -> [String] {
        if edits[template] != nil || created[template] != nil { return [template] }
        let files = Set(loaded)
        return edits.filter { _, list in list.contains { files.contains($0.template) } }.map(\.key)
    }

    private func withdraw(_ template: String, _ failure: (path: [DocumentPathStep], why: String)) {
        edits[template] = nil
        if created[template] != nil {
            created[template] = nil
            report.unplaced.append(
                TranslateReport.Unplaced(
                    template: prefix + template, line: 1, keyPath: DocumentPathStep.text(failure.path),
                    producer: failure.why))
            return
        }
        let item = TranslateReport.Unplaced(
            template: prefix + template, line: 1, keyPath: DocumentPathStep.text(failure.path), producer: failure.why)
        report.unplaced.append(item)
        if unplaced[template] == nil { unplaced[template] = (item, translations[template] ?? []) }
    }

    /// Each edited template file's new text (edits of several assets merged; overlapping ones withdrawn).
    func editedContents() -> [String: [UInt8]] {
        var byFile: [String: [(owner: String, edit: TemplateEdit)]] = [:]
        for (owner, list) in edits.sorted(by: { $0.key < $1.key }) {
            for edit in list { byFile[edit.template, default: []].append((owner, edit)) }
        }
        var contents: [String: [UInt8]] = [:]
        for (file, items) in byFile {
            guard let original = source(file), let raw = try? AtomicFile.read(workspace.assetsPath + "/" + file) else {
                continue
            }
            let sorted = items.sorted { $0.edit.range.lowerBound < $1.edit.range.lowerBound }
            var text: [UInt8] = []
            var cursor = 0
            var clean = true
            for item in sorted {
                guard item.edit.range.lowerBound >= cursor else {
                    clean = false
                    break
                }
                text += original[cursor..<item.edit.range.lowerBound]
                text += item.edit.text
                cursor = item.edit.range.upperBound
            }
            guard clean else { continue }
            text += original[cursor...]
            if raw.count > original.count { text += raw[original.count...] }  // the final newline Jinja drops
            if text != raw { contents[file] = text }
        }
        return contents
    }

    func finishReport(_ contents: [String: [UInt8]], deleted: [String]) -> TranslateReport {
        var report = self.report
        report.changed = contents.keys.sorted().map { prefix + $0 }
        report.created = created.keys.sorted().map { prefix + $0 }
        report.removed = deleted.map { prefix + $0 }
        report.uiFiles = unplaced.filter { !$0.value.1.isEmpty }.keys.sorted().map { prefix + $0 + ".ui" }
        var seen: Set<String> = []
        report.unplaced = report.unplaced.filter { seen.insert($0.message).inserted }
        let touched = Set(edits.keys).union(unplaced.keys)
        report.unchanged = export.bundles.reduce(0) { $0 + $1.assets.count } - created.count - touched.count
        report.unchanged = max(0, report.unchanged)
        return report
    }

    func files(_ contents: [String: [UInt8]], deleted: [String]) -> [TranslatedFile] {
        var files: [TranslatedFile] = []
        for (template, bytes) in contents.sorted(by: { $0.key < $1.key }) {
            files.append(
                TranslatedFile(
                    path: prefix + template, old: try? AtomicFile.read(workspace.assetsPath + "/" + template),
                    new: bytes))
        }
        for (template, bytes) in created.sorted(by: { $0.key < $1.key }) {
            files.append(TranslatedFile(path: prefix + template, old: nil, new: bytes))
        }
        for (template, entry) in unplaced.sorted(by: { $0.key < $1.key }) where !entry.1.isEmpty {
            let path = template.hasSuffix(".yaml.j2") ? template : template + ".yaml.j2"
            files.append(
                TranslatedFile(
                    path: prefix + path + ".ui", old: try? AtomicFile.read(workspace.assetsPath + "/" + path + ".ui"),
                    new: entry.1))
        }
        for template in deleted {
            files.append(
                TranslatedFile(
                    path: prefix + template, old: try? AtomicFile.read(workspace.assetsPath + "/" + template), new: nil)
            )
        }
        return files.filter { $0.old != $0.new }
    }
}
