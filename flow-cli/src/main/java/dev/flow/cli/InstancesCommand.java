package dev.flow.cli;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.flow.client.InstanceOffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "instances", description = "Spot offers with capacity now, cheapest first (the seed's find_instances).")
final class InstancesCommand implements Callable<Integer> {

    @ParentCommand
    FlowCli cli;

    @Option(names = "--gpu-memory", paramLabel = "GB", description = "at least this much memory per GPU (16, 24, 40, 80)")
    Integer gpuMemory;

    @Option(names = {"-i", "--instance-type"})
    String instanceType;

    @Option(names = "--gpu-type", description = "a100, h100, h200, b200")
    String gpuType;

    @Option(names = "--min-gpus")
    Integer minGpus;

    @Option(names = "--max-price", paramLabel = "USD")
    BigDecimal maxPrice;

    @Option(names = "--region")
    String region;

    @Option(names = "--limit", defaultValue = "10")
    int limit;

    @Override
    public Integer call() {
        Map<String, Object> requirements = new LinkedHashMap<>();
        put(requirements, "instance_type", instanceType);
        put(requirements, "min_gpu_count", minGpus);
        put(requirements, "max_price", maxPrice == null ? null : maxPrice.toPlainString());
        put(requirements, "region", region);
        put(requirements, "gpu_memory_gb", gpuMemory);
        put(requirements, "gpu_type", gpuType);
        List<InstanceOffer> offers = cli.flow().findInstances(requirements, limit);
        cli.output().print(offers, offers, List.of(
                // one spelling for every type: the canonical one (what `-i` accepts and `flow ls` shows)
                Output.Column.of("TYPE", o -> Output.instanceType(o.instanceType() != null ? o.instanceType()
                        : o.mithrilName())),
                Output.Column.of("GPU", o -> o.gpuCount() + "x " + o.gpuType()),
                Output.Column.of("GPU MEM", o -> o.gpuMemoryGb() + " GB"),
                Output.Column.of("REGION", InstanceOffer::region),
                Output.Column.of("$/H", InstanceOffer::pricePerHour),
                Output.Column.of("AVAILABLE", InstanceOffer::availableCapacity),
                Output.Column.wide("MITHRIL NAME", InstanceOffer::mithrilName),
                Output.Column.wide("FID", InstanceOffer::fid)));
        return ExitCodes.OK;
    }

    private static void put(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
