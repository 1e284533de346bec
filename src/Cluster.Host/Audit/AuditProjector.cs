using Akka.Actor;
using Akka.Event;
using Actors.Domains;

namespace Cluster.Host.Audit;

public static class AuditMessages
{
    /// <summary>Empty the audit table and project the whole journal again. Answered with <see cref="Rebuilding"/>.</summary>
    public sealed record Rebuild : IClusterMessage;
    public sealed record Rebuilding : IClusterMessage;
    public sealed record GetStatus : IClusterMessage;
    /// <summary>Offset: the last journal ordering in the table; Running: whether the stream runs now; LastError: why it last stopped.</summary>
    public sealed record Status(long Offset, bool Running, string? LastError) : IClusterMessage;
}

/// <summary>
/// Runs the audit projection once in the cluster (a singleton). It loads the stored offset, runs the stream
/// from there, and when the stream fails (database gone, a node crash mid-batch) starts it again from the
/// offset in the table after a growing back-off. Each start has a generation, so a late end of an old stream
/// is ignored.
/// </summary>
public sealed class AuditProjector : ReceiveActor, IWithTimers
{
    private sealed record Start(int Generation);
    private sealed record Loaded(int Generation, AuditPosition Position);
    private sealed record Ended(int Generation, string? Error);
    private sealed record Written(int Generation, long Offset);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AuditStore _store;
    private readonly AuditSettings _settings;
    private int _generation;
    private CancellationTokenSource? _stream;
    private Task _streamDone = Task.CompletedTask;
    private long _offset;
    private string? _lastError;
    private int _failures;

    public AuditProjector(AuditStore store, AuditSettings settings)
    {
        _store = store;
        _settings = settings;
        Receive<Start>(m => m.Generation == _generation, _ => Load());
        Receive<Loaded>(m => m.Generation == _generation, m => Run(m.Position));
        Receive<Written>(m => m.Generation == _generation, m =>
        {
            _offset = m.Offset;
            _failures = 0;
        });
        Receive<Ended>(m => m.Generation == _generation, m =>
        {
            _stream = null;
            _lastError = m.Error ?? "the journal stream ended";
            var backoff = Backoff(++_failures);
            _log.Warning("audit projection stopped at offset {0} ({1}); starting again in {2}", _offset, _lastError, backoff);
            Timers.StartSingleTimer("start", new Start(_generation), backoff);
        });
        Receive<AuditMessages.Rebuild>(_ =>
        {
            var previous = NewGeneration();
            var generation = _generation;
            var replyTo = Sender;
            // The old stream may be committing a batch: reset only once it has ended, or its offset would survive.
            previous.ContinueWith(_ => _store.ResetAsync()).Unwrap().ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) replyTo.Tell(new AuditMessages.Rebuilding());
                else replyTo.Tell(new Status.Failure(t.Exception!.GetBaseException()));
                return (object)new Start(generation);
            }).PipeTo(Self);
        });
        Receive<AuditMessages.GetStatus>(_ => Sender.Tell(new AuditMessages.Status(_offset, _stream is not null, _lastError)));
        ReceiveAny(_ => { }); // messages of an earlier generation
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(AuditStore store, AuditSettings settings) =>
        Akka.Actor.Props.Create(() => new AuditProjector(store, settings));

    protected override void PreStart() => Self.Tell(new Start(_generation));

    protected override void PostStop() => _stream?.Cancel();

    private void Load()
    {
        var generation = _generation;
        LoadAsync().ContinueWith(t => t.IsCompletedSuccessfully
            ? (object)new Loaded(generation, t.Result)
            : new Ended(generation, t.Exception!.GetBaseException().Message)).PipeTo(Self);
    }

    private async Task<AuditPosition> LoadAsync()
    {
        await _store.Database.InitializeAsync();
        return await _store.LoadAsync();
    }

    private void Run(AuditPosition position)
    {
        var generation = _generation;
        var self = Self;
        _offset = position.Offset;
        _log.Info("audit projection runs from journal ordering {0}", position.Offset);
        var (stop, completion) = AuditProjection.Run(Context.System, _store, _settings, position,
            offset => self.Tell(new Written(generation, offset)));
        _stream = stop;
        _streamDone = completion;
        completion.ContinueWith(t => new Ended(generation, t.IsFaulted ? t.Exception!.GetBaseException().Message : null)).PipeTo(self);
    }

    /// <summary>Stops the current stream; returns a task that ends when it has.</summary>
    private Task NewGeneration()
    {
        _stream?.Cancel();
        _stream = null;
        _generation++;
        _offset = 0;
        Timers.CancelAll();
        return _streamDone;
    }

    private TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks(Math.Min(_settings.MaxBackoff.Ticks, _settings.MinBackoff.Ticks << Math.Min(failures - 1, 10)));
}
