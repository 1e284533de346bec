using FaultSuite;

// ops/faults/run.sh builds and runs this; see Suite for what a run does.
var options = Options.Parse(args);
if (options is null) return 0;
using var suite = new Suite(options);
return await suite.RunAsync();
