package dev.avsal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {
    @Test
    void tensorsReadFromSeveralThreadsAgree() throws Exception {
        try (Checkpoint ck = Checkpoints.open(Fixtures.checkpoint("torch_zip.pt"))) {
            Map<String, double[]> once = new LinkedHashMap<>();
            for (String n : ck.tensorNames()) once.put(n, ck.tensor(n).toDoubleArray());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    jobs.add(pool.submit(() -> {
                        for (int r = 0; r < 50; r++) {
                            for (Map.Entry<String, double[]> e : once.entrySet()) {
                                assertArrayEquals(e.getValue(), ck.tensor(e.getKey()).toDoubleArray(), 0.0);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : jobs) f.get();
            } finally {
                pool.shutdown();
            }
        }
    }
}
