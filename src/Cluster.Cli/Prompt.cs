namespace Cluster.Cli;

/// <summary>
/// The interactive prompt: <c>[host:port] vmc&gt; </c>, one command per line (the grammar without the address),
/// plus help, exit and quit. EOF ends it. A failing command prints its error and the prompt goes on.
/// </summary>
internal sealed class Prompt(VmcApp app, string address, VmcOptions options)
{
    public string Text => $"[{address}] vmc> ";

    public async Task<int> RunAsync(TextWriter stdout, TextWriter stderr)
    {
        var input = options.Input ?? TextReader.Null;
        if (options.Interactive)
        {
            stdout.WriteLine($"vmc connected to {address}. Type 'help' for commands, 'exit' to leave.");
        }
        while (true)
        {
            stdout.Write(Text);
            stdout.Flush();
            var line = await input.ReadLineAsync().ConfigureAwait(false);
            if (line is null)
            {
                stdout.WriteLine();
                return ExitCodes.Ok;
            }

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
