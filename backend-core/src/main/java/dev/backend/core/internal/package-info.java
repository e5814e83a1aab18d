/**
 * Internal: not exported by the module, not API, may change in any release. Request deadlines and the timer
 * that expires them, shared by {@code Deadline}, {@code AppError} and the {@code Timeout} middleware; the failure
 * summaries of log lines; the RFC 9110 token and optional-white-space rules shared by {@code Response} and the
 * middleware; the {@code WWW-Authenticate} grammar {@code AppError.Unauthorized} checks its challenge by; media
 * types ({@code Content-Type}) as JSON binding and the middleware read them; which status codes carry no content.
 */
package dev.backend.core.internal;
