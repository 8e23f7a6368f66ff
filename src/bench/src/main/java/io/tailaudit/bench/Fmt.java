package io.tailaudit.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/** Number formats shared by the benchmarks' reports, independent of the machine's locale. */
final class Fmt {

    private Fmt() {
    }

    /**
     * The embedded Kafka and PostgreSQL log through JBoss Logging, as in the server; without this property
     * set before the first logger, JBoss LogManager complains on stderr. Call first thing in main.
     */
    static void useJBossLogManager() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", ratio * 100);
    }

    static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.2f µs", nanos / 1e3);
    }

    static String line(String label, String value) {
        return String.format(Locale.ROOT, "  %-34s %s", label, value);
    }

    /** The JDK, cores and heap of this JVM: the first setup lines of every benchmark. */
    static void printPlatform() {
        Runtime rt = Runtime.getRuntime();
        System.out.println(line("jdk", System.getProperty("java.vendor") + " " + Runtime.version() + " ("
                + System.getProperty("java.vm.name") + ") " + System.getProperty("java.home")));
        System.out.println(line("os / cores", System.getProperty("os.name") + " " + System.getProperty("os.arch")
                + ", " + rt.availableProcessors() + " cores"));
        System.out.println(line("load average at start", String.format(Locale.ROOT, "%.2f (other work on the"
                + " machine skews every figure)", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())));
        System.out.println(line("bench jvm max heap", count(rt.maxMemory() >> 20) + " MB, gc "
                + ManagementFactory.getGarbageCollectorMXBeans().getFirst().getName()));
    }
}
