// The SKB's rules, in Prolog: derived relations over the facts of facts.ts
// and the routing trees. Loaded before the facts (consulting a predicate
// replaces its clauses; facts are added clause by clause afterwards).
//
// tau-prolog backtracks into a generator with many solutions in quadratic
// time (every retry walks the chain of parent states), so the tree rules
// walk lists by recursion and never enumerate cores with findall or between.
export const RULES = String.raw`
:- use_module(library(lists)).

% Relations that may have no facts stay defined (and static).
link(_, _) :- fail.
shared_cache(_, _, _) :- fail.
core_cache(_, _) :- fail.

% leader(P, L): L, the lowest-numbered core of package P, leads it.
leader(P, L) :- package_cores(P, [L|_]).

% shares_cache(A, B, Level): distinct cores A and B share a cache of Level.
shares_cache(A, B, Level) :-
    core_cache(A, K), core_cache(B, K), A \== B, shared_cache(K, Level, _).

% hops(P, Q, H): H interconnect hops lie between packages P and Q.
hops(P, Q, H) :-
    package(P), package(Q), hops_row(P, Row), package_index(Q, I), arg(I, Row, H).

% rtt(A, B, C): a message from core A to core B and back takes C cycles.
rtt(A, B, C) :- core(A), core(B), A \== B, pair_rtt(A, B, C).

pair_rtt(A, B, C) :-
    rtt_table(core), !, core_rtt_row(A, Row), I is B + 1, arg(I, Row, C).
pair_rtt(A, B, C) :-
    core_package(A, P), core_package(B, Q),
    package_rtt_row(P, Row), package_index(Q, I), arg(I, Row, C).

% route(Kind, Root, Edges): the routing tree Kind over every core, from Root.
route(Kind, Root, Edges) :-
    findall(C, core(C), Cores), route(Kind, Root, Cores, Edges).

% route(Kind, Root, Cores, Edges): the tree over the cores listed (ascending)
% as a list of edge(From, To, Order, Cost, BufferAt, Channel): Order counts
% each sender's sends from 0, Cost is rtt(From, To), BufferAt is the core the
% channel's buffer is local to, Channel is private or shared.
route(unicast, Root, Cores, Edges) :-
    without(Root, Cores, Others),
    sends(Root, Others, 0, _, sender, Edges, []).
route(broadcast, Root, Cores, Edges) :-
    without(Root, Cores, Others),
    shared_channel(Root, Others, Edges).
route(multicast, Root, Cores, Edges) :-
    groups(Root, Cores, Mates, Leaders),
    append(Leaders, Mates, Direct0), sort(Direct0, Direct),
    sends(Root, Direct, 0, _, sender, Edges, Forwarded),
    forward(Leaders, Cores, plain, Forwarded, []).
route('numa-multicast', Root, Cores, Edges) :-
    groups(Root, Cores, Mates0, Leaders0),
    farthest_first(Root, Leaders0, Leaders),
    farthest_first(Root, Mates0, Mates),
    sends(Root, Leaders, 0, N, receiver, Edges, Local),
    sends(Root, Mates, N, _, sender, Local, Forwarded),
    forward(Leaders, Cores, numa, Forwarded, []).
route(radix(K), Root, Cores, Edges) :-
    integer(K), K >= 1,
    rotate(Root, Cores, Order), Nodes =.. [order|Order], length(Order, N),
    radix(1, N, K, Nodes, Edges, []).

% without(X, Xs, Ys): Ys is Xs without X.
without(_, [], []).
without(X, [X|Xs], Ys) :- !, without(X, Xs, Ys).
without(X, [Y|Xs], [Y|Ys]) :- without(X, Xs, Ys).

% sends(From, Tos, N0, N, Buffer, Edges, Tail): From sends to each of Tos in
% turn, numbering the sends from N0; Buffer places each channel's buffer at
% the sender or at the receiver.
sends(_, [], N, N, _, Edges, Edges).
sends(From, [To|Tos], N0, N, Buffer, [edge(From, To, N0, C, B, private)|Edges], Tail) :-
    rtt(From, To, C), buffer_at(Buffer, From, To, B), N1 is N0 + 1,
    sends(From, Tos, N1, N, Buffer, Edges, Tail).

buffer_at(sender, From, _, From).
buffer_at(receiver, _, To, To).

% One channel, written once by Root, read by every other core.
shared_channel(_, [], []).
shared_channel(Root, [C|Cs], [edge(Root, C, 0, Cost, Root, shared)|Edges]) :-
    rtt(Root, C, Cost), shared_channel(Root, Cs, Edges).

% groups(Root, Cores, Mates, Leaders): Mates are Root's package-mates among
% Cores; Leaders the lowest of Cores in every other package, by package id.
groups(Root, Cores, Mates, Leaders) :-
    core_package(Root, RP), keyed_by_package(Cores, Keyed0), sort(Keyed0, Keyed),
    leaders(Keyed, RP, none, Leaders),
    package_members(Keyed, RP, Members), without(Root, Members, Mates).

keyed_by_package([], []).
keyed_by_package([C|Cs], [P-C|Ks]) :- core_package(C, P), keyed_by_package(Cs, Ks).

% Keyed is sorted, so the first core seen of a package is its lowest.
leaders([], _, _, []).
leaders([P-_|Ks], RP, Last, Ls) :- (P == RP ; P == Last), !, leaders(Ks, RP, P, Ls).
leaders([P-C|Ks], RP, _, [C|Ls]) :- leaders(Ks, RP, P, Ls).

package_members([], _, []).
package_members([P-C|Ks], P, [C|Cs]) :- !, package_members(Ks, P, Cs).
package_members([_|Ks], P, Cs) :- package_members(Ks, P, Cs).

% forward(Leaders, Cores, Mode, Edges, Tail): every leader sends to its
% package-mates among Cores, in id order (plain) or farthest first (numa);
% the buffers sit at the leader, which aggregates their replies.
forward([], _, _, Edges, Edges).
forward([L|Ls], Cores, Mode, Edges, Tail) :-
    core_package(L, P), package_cores(P, All), common(All, Cores, Members),
    without(L, Members, Mates0), order_mates(Mode, L, Mates0, Mates),
    sends(L, Mates, 0, _, sender, Edges, Rest),
    forward(Ls, Cores, Mode, Rest, Tail).

order_mates(plain, _, Mates, Mates).
order_mates(numa, From, Mates0, Mates) :- farthest_first(From, Mates0, Mates).

% common(Xs, Ys, Zs): Zs holds the elements of both ascending lists.
common([], _, []) :- !.
common(_, [], []) :- !.
common([X|Xs], [X|Ys], [X|Zs]) :- !, common(Xs, Ys, Zs).
common([X|Xs], [Y|Ys], Zs) :- X < Y, !, common(Xs, [Y|Ys], Zs).
common(Xs, [_|Ys], Zs) :- common(Xs, Ys, Zs).

% farthest_first(From, Cs, Sorted): Cs by decreasing rtt from From, ties by id.
farthest_first(From, Cs, Sorted) :-
    by_cost(From, Cs, Keyed0), sort(Keyed0, Keyed), pair_values(Keyed, Sorted).

by_cost(_, [], []).
by_cost(From, [C|Cs], [K-C|Ks]) :- rtt(From, C, R), K is -R, by_cost(From, Cs, Ks).

pair_values([], []).
pair_values([_-V|Ps], [V|Vs]) :- pair_values(Ps, Vs).

% rotate(Root, Cores, Order): Cores from Root upwards, then the lower ones.
rotate(Root, Cores, [Root|Order]) :-
    split(Root, Cores, Lower, Higher), append(Higher, Lower, Order).

split(_, [], [], []).
split(R, [R|Cs], [], Cs) :- !.
split(R, [C|Cs], [C|Lower], Higher) :- split(R, Cs, Lower, Higher).

% Position I (1-based) of the order has children at K*(I-1)+2 .. K*(I-1)+K+1.
radix(I, N, K, _, Edges, Edges) :- K * (I - 1) + 2 > N, !.
radix(I, N, K, Nodes, Edges, Tail) :-
    arg(I, Nodes, From), First is K * (I - 1) + 2, Last is min(First + K - 1, N),
    children(First, Last, 0, From, Nodes, Edges, Rest),
    I1 is I + 1, radix(I1, N, K, Nodes, Rest, Tail).

children(J, Last, _, _, _, Edges, Edges) :- J > Last, !.
children(J, Last, O, From, Nodes, [edge(From, To, O, C, From, private)|Edges], Tail) :-
    arg(J, Nodes, To), rtt(From, To, C), J1 is J + 1, O1 is O + 1,
    children(J1, Last, O1, From, Nodes, Edges, Tail).
`;
