// Real nodes and real QEMU guests share two cores: one test at a time keeps timings honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
