namespace Actors.Servers.Load;

/// <summary>
/// What a server's CPU and memory load is measured on. <see cref="Host"/>: the whole host (/proc/stat, /proc/meminfo),
/// right for one node per server. <see cref="Vmms"/>: only this node's VMM processes, as a share of the host; for
/// several nodes on one host (tests, a laptop), which all see the same /proc/stat and would all report one load.
/// </summary>
public enum LoadSource { Host, Vmms }
