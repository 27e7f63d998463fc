// The benchmark clusters (shared by the render and CLI benchmarks): ClusterImagePolicies with the
// roots of trust in turn, ImagePolicies spread over namespaces, ImageDigestMirrorSets.
import type { ImageDigestMirrorSet } from "../../../pkg/apis/config/v1/imagedigestmirrorset.ts";
import type { Snapshot } from "../../../pkg/render/snapshot.ts";
import { cip, ip, roots, snapshot } from "../../../pkg/render/testing/fixtures.ts";

const rootsInTurn = [roots.publicKey, roots.publicKeyWithRekor, roots.fulcio, roots.pki];

export function benchCluster(
  clusterPolicies: number,
  scopesEach: number,
  imagePolicies: number,
  namespaces: number,
  mirrorSets: number,
): Snapshot {
  const cips = Array.from({ length: clusterPolicies }, (_, i) =>
    cip(
      `cip-${i}`,
      Array.from({ length: scopesEach }, (_, j) => `registry-${i % 97}.example.com/org-${i}/repo-${j}`),
      (rootsInTurn[i % rootsInTurn.length] ?? roots.publicKey)(),
    ),
  );
  const ips = Array.from({ length: imagePolicies }, (_, i) =>
    ip(
      `ns-${i % namespaces}`,
      `ip-${i}`,
      [`apps-${i % namespaces}.example.net/team/app-${i}`],
      roots.publicKey(),
    ),
  );
  const mirrors: ImageDigestMirrorSet[] = Array.from({ length: mirrorSets }, (_, i) => ({
    apiVersion: "config.openshift.io/v1",
    kind: "ImageDigestMirrorSet",
    metadata: { name: `mirror-${i}` },
    spec: {
      imageDigestMirrors: [
        { source: `registry-${i % 97}.example.com/org-${i}`, mirrors: [`mirror.example.com/m-${i}`] },
      ],
    },
  }));
  return snapshot({ clusterImagePolicies: cips, imagePolicies: ips, imageDigestMirrorSets: mirrors });
}

/** The typical cluster: 50 ClusterImagePolicies, 500 ImagePolicies in 100 namespaces, 20 mirror sets. */
export const typicalCluster = (): Snapshot => benchCluster(50, 1, 500, 100, 20);
export const TYPICAL_CLUSTER_LABEL = "typical cluster (50 CIPs, 500 IPs in 100 namespaces, 20 mirror sets)";
