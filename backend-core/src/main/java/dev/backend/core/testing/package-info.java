/**
 * In-process testing of a pipeline, without a socket.
 *
 * {@snippet :
 * TestClient client = TestClient.of(app);
 * assertEquals(405, client.delete("/hello/world").status());
 * }
 */
package dev.backend.core.testing;
