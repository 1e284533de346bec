using Cluster.Cli;

var terminal = !Console.IsInputRedirected && !Console.IsOutputRedirected;
var app = new VmcApp(new VmcOptions
{
    Input = Console.In,
    Interactive = !Console.IsInputRedirected,
    Terminal = !Console.IsOutputRedirected,
    ReadKey = terminal ? ReadKey : null,
    HistoryFile = terminal ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".vmc_history") : null,
});
return await app.RunAsync(args, Console.Out, Console.Error);

// Ctrl-C while a line is typed drops the line; while a command runs it stops vmc, as always.
static ConsoleKeyInfo ReadKey()
{
    Console.TreatControlCAsInput = true;
    try
    {
        return Console.ReadKey(intercept: true);
    }
    finally
    {
        Console.TreatControlCAsInput = false;
    }
}
