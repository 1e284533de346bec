namespace Cluster.Host.Tests.Support;

/// <summary>Waits for a condition with a deadline: the tests' only way to wait.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        T last;
        while (true)
        {
            last = await probe();
            if (done(last)) return last;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"{what}: not true within {deadline.TotalSeconds:0} s; last seen: {last}");
            await Task.Delay(100);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan deadline, string what) =>
        UntilAsync(() => Task.FromResult(condition()), ok => ok, deadline, what);
}
