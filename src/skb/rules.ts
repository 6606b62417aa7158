// The SKB's rules, in Prolog: relations derived from the facts of facts.ts
// and the routing trees. Clauses only (the engine loads library(lists)).
//
// Written for tau-prolog's costs, measured: each resolution step copies the
// state's goal and substitution and searches the parent goals, so a step costs
// in proportion to the terms in the goal, and walking or building a list of n
// elements by recursion costs O(n^2) (2 s for 1024 edges); backtracking into
// between/3 or member/2 over a long list is quadratic too. findall/3 over a
// generator of facts is linear (its solutions go to a JavaScript stack), and
// sort/2 is native. So each tree is a few findall/3 calls over core/1 and
// package/1 facts, ordered by sort/2 on a key; recursion only walks the
// cores of one package, and a sender's row of round trips is fetched once.
/** What the rules add to the facts, for people writing queries. */
export const DERIVED_PREDICATES: readonly string[] = [
  "rtt(A, B, Cycles): round trip of a message from core A to core B and back",
  "hops(P, Q, H): interconnect hops between packages P and Q",
  "core_clock(C, GHz): the clock core C runs at",
  "leader(P, L): the lowest core L of package P",
  "forwarder(P, L): the core L that forwards for package P in the NUMA-aware tree: its fastest, the lowest of equals",
  "shares_cache(A, B, Level): distinct cores A and B share a cache of Level",
  "route(Kind, Root, Sends): routing tree Kind (unicast, broadcast, multicast, 'numa-multicast', radix(K)) from Root",
  "route(Kind, Root, N, Sends): the same over cores 0..N-1",
];

export const RULES = String.raw`
% Relations that may have no facts stay defined (and static).
link(_, _) :- fail.
shared_cache(_, _, _) :- fail.
core_cache(_, _) :- fail.
mixed_clocks(_) :- fail.

% core_clock(C, GHz): core C runs at its die's clock.
core_clock(C, GHz) :- core_die(C, D), die_clock(D, GHz).

% leader(P, L): L, the lowest-numbered core of package P, leads it.
leader(P, L) :- package_cores(P, [L|_]).

% forwarder(P, L): L forwards for package P in the NUMA-aware tree: the
% fastest of its cores (core_clock/2), the lowest-numbered of equals; the
% leader on a package of one clock.
forwarder(P, L) :- package_forwarder(P, L, _).

% shares_cache(A, B, Level): distinct cores A and B share a cache of Level.
shares_cache(A, B, Level) :-
    core_cache(A, K), core_cache(B, K), A \== B, shared_cache(K, Level, _).

% hops(P, Q, H): H interconnect hops lie between packages P and Q.
hops(P, Q, H) :-
    package(P), package(Q), hops_row(P, Row), package_index(Q, I), arg(I, Row, H).

% rtt(A, B, C): a message from core A to core B and back takes C cycles.
rtt(A, B, C) :- core(A), core(B), A \== B, rtt_row(A, Row), rtt_slot(B, I), arg(I, Row, C).

% route(Kind, Root, Sends): the routing tree Kind from core Root over every core.
route(Kind, Root, Sends) :- machine(_, N, _, _, _), route(Kind, Root, N, Sends).

% route(Kind, Root, N, Sends): the tree over cores 0..N-1, as a list of
% send(From, Channel, Receivers): Channel is private, or shared when one
% channel is read by all Receivers; Receivers are in send order, each
% Key-to(To, Cost, BufferAt), Key being what they are ordered by, Cost the
% rtt from From to To and BufferAt the core the channel's buffer is local to.
route(unicast, Root, N, [send(Root, private, Rs)]) :-
    rtt_row(Root, Row), findall(R, each_other(Root, Row, N, R), Rs).
route(broadcast, Root, N, [send(Root, shared, Rs)]) :-
    rtt_row(Root, Row), findall(R, each_other(Root, Row, N, R), Rs).
route(multicast, Root, N, Sends) :- multicast(plain, Root, N, Sends).
route('numa-multicast', Root, N, Sends) :- multicast(numa, Root, N, Sends).
route(radix(K), Root, N, Sends) :-
    integer(K), K >= 1,
    findall(send(From, private, Rs), radix_node(K, Root, N, From, Rs), Sends).

% findall/3 meta-calls its goal, paying a step per conjunction, so the
% generators below are named predicates.

% each_other(Root, Row, N, C-to(C, Cost, Root)): every core of 0..N-1 but
% Root, in id order, with its rtt from Root (Row is Root's rtt_row).
each_other(Root, Row, N, C-to(C, Cost, Root)) :-
    core(C), C < N, C \== Root, rtt_slot(C, I), arg(I, Row, Cost).

% The root sends to the leader of every other package and to its own mates;
% each leader forwards to its package-mates and aggregates their replies.
% plain: every send in id order, buffers at the sender. numa: farthest first
% (see order_key/5), and every buffer local to the core that aggregates (the
% leader, or the root for its mates).
%
% Slow cores: a leader handles a message for each of its mates and each of
% their acks, in its own cycles, so on a package of mixed clocks the
% NUMA-aware tree has its fastest core lead (forwarder/2) and its slower
% cores as leaves; the plain tree keeps the lowest-numbered core, as the
% paper's. On a package of one clock the two are the same core.
multicast(Mode, Root, N, [send(Root, private, Rs)|Forwards]) :-
    findall(R, receiver(Mode, Root, N, R), Rs0), sort(Rs0, Rs),
    findall(send(L, private, Ms), forwards(Mode, Root, N, L, Ms), Forwards).

receiver(Mode, Root, N, R) :-
    core_package(Root, RP), rtt_row(Root, Row), receiver(Mode, Root, RP, Row, N, R).

receiver(Mode, Root, RP, Row, N, Key-to(L, C, B)) :-
    package(P), P \== RP, leads(Mode, P, N, L, _),
    rtt_slot(L, I), arg(I, Row, C), order_key(Mode, leader(P), L, C, Key), leader_buffer(Mode, Root, L, B).
receiver(Mode, Root, RP, Row, N, Key-to(M, C, Root)) :-
    package_cores(RP, Cs), member(M, Cs), M \== Root, M < N,
    rtt_slot(M, I), arg(I, Row, C), order_key(Mode, mate, M, C, Key).

% forwards(Mode, Root, N, L, Ms): L leads another package than Root's and
% sends to its package-mates Ms.
forwards(Mode, Root, N, L, Ms) :-
    core_package(Root, RP), package(P), P \== RP, leads(Mode, P, N, L, Mates),
    rtt_row(L, Row), keyed_mates(Mates, Mode, L, Row, N, Ms0), Ms0 \== [], sort(Ms0, Ms).

% leads(Mode, P, N, L, Mates): L leads package P's share of cores 0..N-1 and
% Mates are the package's other cores, ascending. plain: the lowest core.
% numa: the package's forwarder (a fact, with its mates), or, on a package of
% mixed clocks whose forwarder the tree does not reach, the first of
% package_cores_by_clock/2 below N (on a package of one clock the forwarder
% is its lowest core: the tree reaches none of it).
leads(plain, P, N, L, Mates) :- package_cores(P, [L|Mates]), L < N.
leads(numa, P, N, F, Mates) :- package_forwarder(P, F, Mates), F < N.
leads(numa, P, N, L, Mates) :-
    mixed_clocks(P), package_forwarder(P, F, _), F >= N,
    package_cores_by_clock(P, Fs), first_below(Fs, N, L), package_cores(P, Cs), without(Cs, L, Mates).

first_below([C|_], N, C) :- C < N, !.
first_below([_|Cs], N, L) :- first_below(Cs, N, L).

without([X|Xs], X, Xs) :- !.
without([Y|Xs], X, [Y|Ys]) :- without(Xs, X, Ys).

% package_cores/2 lists a package's cores in ascending order: the first at or
% above N ends the tree's share of the package.
keyed_mates([M|Ms], Mode, L, Row, N, [Key-to(M, C, L)|Ks]) :-
    M < N, !, rtt_slot(M, I), arg(I, Row, C), order_key(Mode, mate, M, C, Key),
    keyed_mates(Ms, Mode, L, Row, N, Ks).
keyed_mates(_, _, _, _, _, []).

% order_key(Mode, Role, To, Cost, Key): sort/2 on Key gives the send order.
% plain: by core id. numa: by decreasing round trip, the root's own mates
% included; among equal round trips the other packages' leaders first, the
% higher package before the lower, then package-mates in ascending order:
% the order Barrelfish's multicast program (usr/skb/programs/multicast.pl)
% leaves after its stable sort by decreasing round trip.
order_key(plain, _, To, _, To).
order_key(numa, leader(P), _, Cost, k(K, 0, Q)) :- K is -Cost, Q is -P.
order_key(numa, mate, To, Cost, k(K, 1, To)) :- K is -Cost.

leader_buffer(plain, Root, _, Root).
leader_buffer(numa, _, L, L).

% radix_node(K, Root, N, From, Rs): in the order Root, Root+1, ..., N-1, 0,
% ..., Root-1, position I sends to positions K*I+1 .. K*I+K. Positions are
% enumerated by core/1: core ids are 0..n-1.
radix_node(K, Root, N, From, Rs) :-
    core(I), First is K * I + 1, First < N,
    From is (Root + I) mod N, Last is min(First + K - 1, N - 1), rtt_row(From, Row),
    findall(R, radix_child(First, Last, Root, N, From, Row, R), Rs).

radix_child(First, Last, Root, N, From, Row, J-to(To, C, From)) :-
    between(First, Last, J), To is (Root + J) mod N, rtt_slot(To, I), arg(I, Row, C).
`;
