package dev.winch.gateway.http;

import dev.winch.common.config.Secret;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.XFrameHandler;
import java.util.Optional;

/**
 * The web console under {@code /console}: static HTML, CSS and plain JavaScript from the jar
 * ({@code console/} on the classpath). The pages hold no data: every figure they show comes from the admin API,
 * which the browser calls with the bearer token the operator typed in (kept in the tab's {@code sessionStorage},
 * sent as the {@code Authorization} header, never in a URL or a cookie, so a forged cross-site request carries no
 * credentials). Without an admin token the pages, like the API, answer only on loopback.
 *
 * <p>Every answer carries a Content-Security-Policy that allows scripts, styles and connections to this origin
 * only (no inline script, so markup that slipped through escaping could not run), forbids framing, and sends no
 * referrer.
 */
public final class ConsolePages {

    public static final String PATH = "/console";

    /** The policy every console answer carries; tests compare against it. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final Optional<Secret> adminToken;

    public ConsolePages(Optional<Secret> adminToken) {
        this.adminToken = adminToken;
    }

    public void mount(Router router) {
        // A route for "/console" also matches "/console/": redirect only the bare path, so relative links resolve.
        router.get(PATH).handler(ctx -> {
            if (ctx.request().path().equals(PATH)) {
                ctx.redirect(PATH + "/");
            } else {
                ctx.next();
            }
        });
        // Vert.x Web runs security-policy handlers before any other on a route.
        router.route(PATH + "/*")
                .handler(csp())
                .handler(XFrameHandler.create(XFrameHandler.DENY))
                .handler(this::loopbackUnlessToken)
                .handler(ctx -> {
                    ctx.response()
                            .putHeader("X-Content-Type-Options", "nosniff")
                            .putHeader("Referrer-Policy", "no-referrer")
                            // The pages change with the gateway's version: a stale script against a newer API
                            // helps nobody.
                            .putHeader("Cache-Control", "no-cache");
                    ctx.next();
                })
                .handler(StaticHandler.create("console")
                        .setCachingEnabled(false)
                        .setDirectoryListing(false)
                        .setIncludeHidden(false)
                        .setIndexPage("index.html"));
    }

    private static CSPHandler csp() {
        CSPHandler csp = CSPHandler.create();
        for (String directive : CONTENT_SECURITY_POLICY.split("; ")) {
            int space = directive.indexOf(' ');
            csp.setDirective(directive.substring(0, space), directive.substring(space + 1));
        }
        return csp;
    }

    /** The same rule as the admin API: without a configured token, only loopback may use the console. */
    private void loopbackUnlessToken(RoutingContext ctx) {
        if (adminToken.isEmpty() && !AdminRoutes.isLoopback(ctx)) {
            new ApiError(403, "forbidden", "the console answers only on loopback until WINCH_ADMIN_TOKEN is set")
                    .send(ctx);
            return;
        }
        ctx.next();
    }
}
