namespace Cluster.Cli;

/// <summary>
/// The interactive prompt: <c>[host:port] vmc&gt; </c>, one command per line (the grammar without the address),
/// plus help, exit and quit. EOF ends it. A failing command prints its error and the prompt goes on. At a terminal
/// lines are edited with history and Tab completion (<see cref="LineEditor"/>); otherwise they are read as they come.
/// </summary>
internal sealed class Prompt(VmcApp app, string address, VmcOptions options)
{
    public string Text => $"[{address}] vmc> ";

    public async Task<int> RunAsync(TextWriter stdout, TextWriter stderr)
    {
        var input = options.Input ?? TextReader.Null;
        if (options.Interactive)
        {
            stdout.WriteLine($"vmc connected to {address}. Type 'help' for commands, Tab to complete, 'exit' to leave.");
        }
        // Completion asks the node for names with $VMC_TOKEN (a --token typed on a line is that command's only).
        using var api = new ApiClient(address, options, options.GetEnvironment(VmcOptions.TokenVariable)?.Trim() is { Length: > 0 } token ? token : null);
        var history = new PromptHistory(options.HistoryFile);
        var names = new NodeNames((path, ct) => api.GetAsync(path, ct), () => DateTime.UtcNow);
        var editor = options.ReadKey is { } readKey
            ? new LineEditor(readKey, stdout, history, (line, cursor) => Completion.Complete(line, cursor, VmcApp.Palettes, names.Get))
            : null;
        while (true)
        {
            string? line;
            if (editor is not null)
            {
                line = editor.ReadLine(Text);
            }
            else
            {
                stdout.Write(Text);
                stdout.Flush();
                line = await input.ReadLineAsync().ConfigureAwait(false);
                if (line is null)
                {
                    stdout.WriteLine();
                }
            }
            if (line is null)
            {
                return ExitCodes.Ok;
            }
            history.Add(line);

            List<string> tokens;
            try
            {
                tokens = CommandLine.Tokenize(line);
            }
            catch (UsageException ex)
            {
                stderr.WriteLine($"error: {ex.Message}");
                continue;
            }
            if (tokens.Count > 0 && tokens[0] == "vmc")
            {
                tokens.RemoveAt(0);
            }
            if (tokens.Count == 0)
            {
                continue;
            }
            if (tokens is ["exit" or "quit"])
            {
                return ExitCodes.Ok;
            }
            if (CommandLine.IsAddress(tokens[0]))
            {
                stderr.WriteLine($"error: the prompt is connected to {address}; start 'vmc {tokens[0]}' to use another node");
                continue;
            }
            await app.ExecuteAsync(address, tokens, stdout, stderr).ConfigureAwait(false);
            stdout.Flush();
        }
    }
}
