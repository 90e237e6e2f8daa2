// deploy/kubernetes/: no cluster is reachable here, so what can be checked is checked: the
// manifests parse, the Job is an Indexed Job whose shard count agrees everywhere, its pods would
// pass OpenShift's restricted security context, lb-demo's own parser accepts the container's
// arguments with the ConfigMap's settings, and the image runs the same entry point as the tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { closedPort, runCli } from './e2e/helpers.js';

const DEPLOY = fileURLToPath(new URL('../deploy/kubernetes/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const load = (name: string) => {
  const documents = parseAllDocuments(readFileSync(`${DEPLOY}${name}`, 'utf8'));
  for (const d of documents) expect(d.errors, name).toEqual([]);
  return documents.map((d) => d.toJS());
};

interface Container {
  image: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  securityContext: Record<string, unknown>;
}

const [job] = load('job.yaml');
const [settings] = load('configmap.yaml');
const [secret] = load('secret.example.yaml');
const container = job.spec.template.spec.containers[0] as Container;

describe('the Indexed Job', () => {
  it('runs N shards, N everywhere, each once', () => {
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const shards = Number(container.args[container.args.indexOf('--shards') + 1]);
    expect(shards).toBeGreaterThan(1);
    expect(job.spec.completions).toBe(shards);
    expect(job.spec.parallelism).toBe(shards);
    // A retried shard would send its share twice.
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('gives every shard the Job’s uid as the run id, and reads the ConfigMap and Secret', () => {
    const runId = container.env.find((e) => e.name === 'LB_RUN_ID');
    expect(runId?.valueFrom?.fieldRef?.fieldPath).toBe(
      "metadata.labels['batch.kubernetes.io/controller-uid']",
    );
    expect(container.envFrom.map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([
      settings.metadata.name,
      secret.metadata.name,
    ]);
  });

  it('would be admitted under OpenShift’s restricted security context', () => {
    const pod = job.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault');
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(pod.securityContext.runAsUser).toBeUndefined(); // OpenShift picks the uid
  });

  it('has arguments lb-demo’s own parser accepts, with the ConfigMap’s settings', async () => {
    // Every setting valid, the gateway unreachable: the run gets past parsing to the network and
    // stops there with exit status 3, not 2.
    const port = await closedPort();
    const env: Record<string, string> = {
      ...(settings.data as Record<string, string>),
      GATEWAY_URL: `http://127.0.0.1:${port}/v1`,
      JOB_COMPLETION_INDEX: '3',
      LB_RUN_ID: '0a1b2c3d-4e5f-6789-abcd-ef0123456789',
    };
    const result = await runCli(container.args, env);
    expect(result.stderr).toMatch(
      /^lb-demo: cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+\/v1/,
    );
    expect(result.code).toBe(3);
    // One index too many is refused by the same parser: the Job's N and --shards agree.
    const beyond = await runCli(container.args, {
      ...env,
      JOB_COMPLETION_INDEX: String(job.spec.completions),
    });
    expect(beyond.code).toBe(2);
  });
});

describe('the image', () => {
  const containerfile = readFileSync(`${DEPLOY}Containerfile`, 'utf8');

  it('runs the package’s bin, the entry point the tests run, as a non-root user of group 0', () => {
    expect(containerfile).toMatch(/^ENTRYPOINT \["lb-demo"\]$/m);
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin['lb-demo']).toMatch(/^(\.\/)?bin\/lb-demo\.js$/);
    expect(containerfile).toMatch(/^USER 1001$/m);
    expect(containerfile).toMatch(/chgrp 0 \/work && chmod g=u \/work/);
    expect(containerfile).toMatch(/^FROM docker\.io\/library\/node:20/m);
  });

  it('is the one the Job names', () => {
    expect(container.image).toMatch(/\/lb-demo:\d+\.\d+\.\d+$/);
  });
});
