using Akka.Actor;
using Akka.Persistence;
using Cluster.Host.Tests.Support;

namespace Cluster.Host.Tests;

/// <summary>
/// The journal as the node configures it: a domain that moves from server A to B and back to A (migration,
/// failover) writes from A again. The SQL plugin stamps events with its own instance id, so A's later events
/// look like an "old writer" to Akka's replay filter, whose default mode drops them silently on the next recovery.
/// </summary>
public sealed class JournalReplayTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vmc-journal-replay-" + Guid.NewGuid().ToString("N")[..12]);

    public JournalReplayTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private sealed class Recorder : ReceivePersistentActor
    {
        private readonly List<string> _events = [];
        public override string PersistenceId => "domain-a-b-a";

        public Recorder()
        {
            Recover<string>(e => _events.Add(e));
            Command<string>(m => m == "get", _ => Sender.Tell(_events.ToArray()));
            Command<string>(m => Persist(m, e =>
            {
                _events.Add(e);
                Sender.Tell("ok");
            }));
        }
    }

    private sealed record Server(ActorSystem System) : IAsyncDisposable
    {
        public async Task<object> AskAsync(string message)
        {
            var actor = System.ActorOf(Props.Create(() => new Recorder()));
            try { return await actor.Ask(message, TimeSpan.FromSeconds(20)); }
            finally { System.Stop(actor); }
        }

        public async ValueTask DisposeAsync() => await System.Terminate();
    }

    private Server StartServer(string name) => new(LocalJournal.Start("--name", name, "--data-dir", _dir));

    [Fact]
    public async Task Events_written_again_by_a_server_the_domain_had_left_are_all_recovered()
    {
        await using (var a = StartServer("a"))
        {
            Assert.Equal("ok", await a.AskAsync("created on a"));
            await using (var b = StartServer("b"))
                Assert.Equal("ok", await b.AskAsync("migrated to b"));
            Assert.Equal("ok", await a.AskAsync("migrated back to a"));
        }

        await using var c = StartServer("c");
        var recovered = (string[])await c.AskAsync("get");
        Assert.Equal(["created on a", "migrated to b", "migrated back to a"], recovered);
    }
}
