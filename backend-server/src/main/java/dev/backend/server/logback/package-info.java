/**
 * For applications on logback: an appender that keeps console output off the request threads.
 *
 * <p>Used by name from a {@code logback.xml}; nothing here is loaded unless the configuration names it, so
 * backend-server still brings no logging backend of its own.
 *
 * {@snippet lang="xml" :
 * <appender name="console" class="dev.backend.server.logback.AsyncConsoleAppender">
 *   <encoder><pattern>%d %-5level [%thread] %logger{30} - %msg%n</pattern></encoder>
 * </appender>
 * }
 */
package dev.backend.server.logback;
