namespace Actors.Servers.Scheduling;

/// <summary>One live migration the balancer decided, with the sentence recorded as its reason.</summary>
public sealed record BalanceMove(string Domain, string From, string To, string ToAddress, string Reason);

/// <summary>What balancing a pool now would do: the moves, and notes on what it would not (and why).</summary>
public sealed record BalancePlan(string Pool, IReadOnlyList<BalanceMove> Moves, IReadOnlyList<string> Notes);
