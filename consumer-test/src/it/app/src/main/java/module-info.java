// tag::module-info[]
/** A user's application: its routes and migrations on backend-server. */
module consumer {
    requires dev.backend.server;

    // Its JSON records are read and written by Jackson through reflection.
    opens consumer to tools.jackson.databind;
}
// end::module-info[]
