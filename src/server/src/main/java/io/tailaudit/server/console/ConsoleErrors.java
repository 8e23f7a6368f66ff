package io.tailaudit.server.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The console's error pages: HTML that says what is wrong, never a stack trace. */
public class ConsoleErrors {

    @CheckedTemplate(basePath = "console")
    static class Templates {
        static native TemplateInstance error(int status, String title, String message);
    }

    @ServerExceptionMapper
    Response badRequest(ConsoleResource.ConsoleBadRequest e) {
        return page(400, "Bad request", e.getMessage());
    }

    @ServerExceptionMapper
    Response notFound(ConsoleResource.ConsoleNotFound e) {
        return page(404, "Not found", e.getMessage());
    }

    private static Response page(int status, String title, String message) {
        return Response.status(status).type(MediaType.TEXT_HTML)
                .entity(Templates.error(status, title, message).render()).build();
    }
}
