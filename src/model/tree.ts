// A Portkey config as the user wrote it, read as a tree: the routing it describes, the leaves
// it ends in, and what lb-demo finds wrong with it. Types only.

export type RoutingMode = 'single' | 'loadbalance' | 'fallback' | 'conditional';

/** One condition of a conditional node: a query over metadata.*, params.* and url.pathname. */
export interface Condition {
  query: Record<string, unknown>;
  /** The `name` of the target it sends matching requests to. */
  then: string;
}

export interface TreeNode {
  /** As the gateway reports it: `config`, `config.targets[1]`, `config.targets[1].targets[0]`. */
  path: string;
  /** The node's strategy; null for a leaf (a provider). */
  mode: RoutingMode | null;
  /** As written; a loadbalance counts a missing weight as 1. */
  weight: number | undefined;
  /** Its `name` field: what a conditional's `then` and `default` refer to. */
  name: string | undefined;
  children: TreeNode[];
  conditions: Condition[];
  default: string | undefined;
  /** The object as written. */
  raw: Record<string, unknown>;
}

/** A provider the tree ends in, with what it inherits from the nodes above it. */
export interface TreeLeaf {
  path: string;
  /** Unique in the tree: its `name`, or its provider and position. */
  name: string;
  provider: string;
  /** override_params.model, its own or inherited; undefined when the request's model is used. */
  model: string | undefined;
  /** custom_host, its own or inherited. */
  customHost: string | undefined;
  apiKey: string | undefined;
}

/** Requests with this metadata and these parameters, as a conditional node reads them. */
export interface RequestCase {
  /** Words for the report, e.g. 'metadata.plan = "paid"'. */
  label: string;
  metadata: Record<string, string>;
  params: Record<string, unknown>;
  /** Built by lb-demo from the conditions, or the user's own (--case, --cases). */
  source: 'built' | 'user';
  /** The user's expectation: the name of a target (a node or a leaf) these requests must reach. */
  expect?: string;
}

/** A config's tree and the leaves it ends in, in the order the config lists them. */
export interface ConfigTree {
  root: TreeNode;
  leaves: TreeLeaf[];
}

/** The user's own config (--config, LB_CONFIG_FILE), read, checked and ready to run. */
export interface UserConfig {
  /** The file as given, for messages and the report. */
  file: string;
  /** The JSON as written: sent as is to a gateway of the user's own. */
  data: Record<string, unknown>;
  tree: ConfigTree;
  findings: LintFinding[];
  /** The user's request cases; undefined when lb-demo builds them from the conditions. */
  cases: RequestCase[] | undefined;
  /** Sent with the run's own requests (--metadata): which branch of a conditional they take. */
  metadata: Record<string, string>;
}

export interface LintFinding {
  severity: 'error' | 'warning' | 'info';
  /** The JSON path of the key or node, e.g. config.targets[1].retry.attempts. */
  path: string;
  rule: string;
  message: string;
}

/** A request case sent through the user's config: what the tree predicted and what happened. */
export interface CaseOutcome {
  case: RequestCase;
  /** Names of the leaves the tree may send it to; empty when it routes it nowhere (HTTP 400). */
  predictedLeaves: string[];
  /** What each conditional on the way picks, by target name. */
  predictedBranches: string[];
  /** Whether the user's `expect` is on the predicted route; null without one. */
  expectAgrees: boolean | null;
  requests: number;
  /** The leaves that answered (or failed), by name, with how many requests. */
  observed: { leaf: string; requests: number }[];
  /** Requests nothing attributed to a leaf (a gateway error, a timeout). */
  unattributed: number;
  failed: number;
  passed: boolean;
  /** Why it passed or failed, in words. */
  reason: string;
}
