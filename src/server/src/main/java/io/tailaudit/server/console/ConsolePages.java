package io.tailaudit.server.console;

import io.quarkus.oidc.runtime.OidcConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;

/**
 * The login page and logging out: open to anyone, as a login page must be. With OIDC on, the identity provider
 * is the login page: {@code /login} sends the browser to the console, whose challenge is the provider's, and a
 * POST to {@code /logout} from an OIDC session is answered by quarkus-oidc before it reaches this class
 * ({@code quarkus.oidc.logout.path}).
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
@PermitAll
public class ConsolePages {

    private static final URI CONSOLE = URI.create("/");
    private static final URI LOGIN = URI.create("/login");

    private final boolean oidc;

    ConsolePages(OidcConfig oidc) {
        this.oidc = OidcConfig.getDefaultTenant(oidc).tenantEnabled();
    }

    @CheckedTemplate(basePath = "console")
    static class Templates {
        static native TemplateInstance login(boolean error);
    }

    @GET
    @Path("login")
    @Operation(hidden = true)
    public Response login(@QueryParam("error") boolean error) {
        return oidc ? Response.seeOther(CONSOLE).build() : Response.ok(Templates.login(error)).build();
    }

    @POST
    @Path("logout")
    @Operation(hidden = true)
    public Response logout() {
        return Response.seeOther(LOGIN)
                .cookie(new NewCookie.Builder("tailaudit-session").value("").path("/").maxAge(0).build())
                .build();
    }
}
