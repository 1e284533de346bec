namespace Cluster.Cli;

/// <summary>Everything <see cref="VmcApp"/> takes from its surroundings, so tests can replace it.</summary>
public sealed class VmcOptions
{
    public const string DefaultAddress = "127.0.0.1:9110";
    public const string AddressVariable = "VMC_ADDRESS";
    public const string TokenVariable = "VMC_TOKEN";

    /// <summary>Sends the HTTP requests; null means a real socket handler.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>Lines of the interactive prompt.</summary>
    public TextReader? Input { get; init; }

    /// <summary>True when a person types at the prompt (adds a banner and a newline at EOF).</summary>
    public bool Interactive { get; init; }

    /// <summary>Reads a key at a terminal: the prompt then edits lines (arrows, history, Tab). Null: lines from <see cref="Input"/>.</summary>
    public Func<ConsoleKeyInfo>? ReadKey { get; init; }

    /// <summary>Where the prompt keeps its history (~/.vmc_history); null: none is kept.</summary>
    public string? HistoryFile { get; init; }

    /// <summary>True when stdout is a terminal: a job's progress bar is redrawn in place instead of printed as lines.</summary>
    public bool Terminal { get; init; }

    /// <summary>Reads an environment variable (VMC_ADDRESS, VMC_TOKEN).</summary>
    public Func<string, string?> GetEnvironment { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Relative --kernel/--initrd/--token-file paths are made absolute against this directory.</summary>
    public string CurrentDirectory { get; init; } = Environment.CurrentDirectory;

    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Ends open-ended commands (audit --follow) from a test; in a shell, Ctrl-C ends vmc as always.</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>How often --wait asks for the job.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
}
