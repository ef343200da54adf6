/// The workload a client host belongs to. Kubernetes names a Deployment's pods
/// `<deployment>-<pod-template-hash>-<suffix>` (both random, from an alphabet without vowels)
/// and names them anew at every rollout: an integration run from a Deployment logs thousands
/// of hosts a month. Rules about a client's configuration (its audience, its approvals, the
/// subject it sends, a token with no server login) group by workload, so one misconfigured
/// Deployment is one finding, not one per pod (39,000 of them in the benchmark's month).
/// Rules about a host's clock keep the pod: each runs on its node's clock. Any other name
/// (`etl-01`, `sync-worker.prod.acme.internal`) is its own workload.
public enum HostWorkload {
    /// The characters Kubernetes' random names are made of (`k8s.io/apimachinery/pkg/util/rand`).
    static let alphabet: Set<UInt8> = Set("bcdfghjklmnpqrstvwxz2456789".utf8)

    public static func of(_ host: String) -> String {
        let labelEnd = host.firstIndex(of: ".") ?? host.endIndex
        let parts = host[..<labelEnd].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return host }
        let suffix = parts[parts.count - 1].utf8, hash = parts[parts.count - 2].utf8
        guard suffix.count == 5, (6...10).contains(hash.count),
              suffix.allSatisfy(alphabet.contains), hash.allSatisfy(alphabet.contains) else { return host }
        let name = parts.dropLast(2).joined(separator: "-")
        return name.isEmpty ? host : name + host[labelEnd...]
    }
}
