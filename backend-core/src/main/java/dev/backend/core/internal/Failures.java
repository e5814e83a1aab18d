package dev.backend.core.internal;

import java.sql.SQLException;

/** Failures in one short line for the log: what an operator needs, without the stack. */
public final class Failures {

    private static final int MAX_LENGTH = 300;

    private Failures() {}

    /**
     * Throws {@code failure} again if the JVM is in no state to answer for it: an {@code OutOfMemoryError} or
     * another {@link VirtualMachineError}, left to the JVM's own handling. A {@code StackOverflowError} is not one:
     * the stack it overflowed is unwound by the time it is caught.
     *
     * @param failure what a handler or a body's writer threw
     */
    public static void throwIfFatal(Throwable failure) {
        if (failure instanceof VirtualMachineError fatal && !(failure instanceof StackOverflowError)) {
            throw fatal;
        }
    }

    /**
     * {@code 57P01 FATAL: terminating connection due to administrator command} for a database failure (its
     * SQLSTATE and the first line of its message), {@code IllegalStateException: message} for anything else.
     */
    public static String summary(Throwable failure) {
        if (failure.getMessage() == null) {
            return failure.getClass().getSimpleName();
        }
        String message = failure.getMessage();
        int newline = message.indexOf('\n');
        String firstLine = newline < 0 ? message : message.substring(0, newline);
        if (firstLine.length() > MAX_LENGTH) {
            firstLine = firstLine.substring(0, MAX_LENGTH) + "...";
        }
        if (failure instanceof SQLException e && e.getSQLState() != null) {
            return e.getSQLState() + " " + firstLine;
        }
        return failure.getClass().getSimpleName() + ": " + firstLine;
    }
}
