package io.tailaudit.server.console;

import java.time.LocalDate;

/** Traces of one task over the page's days, and the last day it had any. */
public record TaskVolume(String task, long traces, LocalDate lastDay) {
}
