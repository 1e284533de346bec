using System.Diagnostics;
using System.Text;

namespace Cluster.Host.Tests.Support;

/// <summary>A running vmc that prints lines until it is stopped (cluster tail, audit --follow). Disposing kills it.</summary>
public sealed class VmcTail : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _err = new();

    public VmcTail(Process process)
    {
        _process = process;
        _process.StandardInput.Close();
        _process.OutputDataReceived += (_, e) => { if (e.Data is { } l) lock (_lines) _lines.Add(l); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lock (_err) _err.AppendLine(l); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    public string Err
    {
        get { lock (_err) return _err.ToString(); }
    }

    /// <summary>Waits for a printed line that matches; throws with everything printed so far if none comes in time.</summary>
    public async Task<string> UntilLineAsync(Func<string, bool> match, TimeSpan deadline, string what)
    {
        try
        {
            return await Poll.UntilAsync(() => Task.FromResult(Lines.FirstOrDefault(match) ?? ""), l => l.Length > 0, deadline, what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nvmc printed:\n{string.Join('\n', Lines)}\nstderr: {Err}", ex);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
