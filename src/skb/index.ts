// The System Knowledge Base: facts about the machine, Prolog queries over
// them, and the routing trees the monitors use. Imports only src/hwmodel.
export * from "./errors.ts";
export { machineFacts, roundTrips, type Fact, type PlTerm, type RttOverride } from "./facts.ts";
export { MAX_ANSWER_DEPTH, termText, type Answer, type AnswerTerm } from "./answers.ts";
export { DEFAULT_LIMITS, type Limits, type QueryResult } from "./prolog.ts";
export { ALLOWED_BUILTINS } from "./sandbox.ts";
export { SystemKnowledgeBase, type SkbOptions } from "./knowledge-base.ts";
export { DERIVED_PREDICATES } from "./rules.ts";
export { DEFAULT_RADIX_FANOUT, ROUTE_KINDS, childrenOf, type RouteEdge, type RouteKind, type RouteOptions, type RoutingTree } from "./trees.ts";
export { treeToDot } from "./dot.ts";
