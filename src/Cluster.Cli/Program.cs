using Cluster.Cli;

var app = new VmcApp(new VmcOptions { Input = Console.In, Interactive = !Console.IsInputRedirected, Terminal = !Console.IsOutputRedirected });
return await app.RunAsync(args, Console.Out, Console.Error);
