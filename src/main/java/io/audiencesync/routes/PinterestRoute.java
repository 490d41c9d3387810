package io.audiencesync.routes;

import io.audiencesync.pinterest.Call;
import io.audiencesync.pinterest.Calls;
import io.audiencesync.config.RetrySettings;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.pinterest.PinterestOAuth;
import io.audiencesync.pinterest.TokenProvider;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * {@link Calls} through the {@code pinterest} route ({@code routes/pinterest.camel.yaml}): what the sync's routes
 * and the commands that run no sync ({@code auth}, {@code audiences}, {@code status}) both call Pinterest with.
 */
public final class PinterestRoute implements Calls, AutoCloseable {

    static final String ROUTES = "classpath:routes/pinterest.camel.yaml";
    static final String USER_AGENT = "pinterest-audience-sync";

    private final ProducerTemplate producer;
    private final CamelContext owned;

    private PinterestRoute(ProducerTemplate producer, CamelContext owned) {
        this.producer = producer;
        this.owned = owned;
    }

    /**
     * Binds what the routes need: the {@code pinterestCalls} steps, the {@code pinterestHeaders} filter, the
     * {@code pinterestJson} mapper, the write spacing, camel-http's timeouts, and {@code pinterestRoute}, these calls
     * (send-batch makes its calls through it). camel-http's own retries, redirects and compression are off: the route
     * decides what is tried again, and every byte sent is the one shown.
     *
     * @return the calls through the route of {@code context} (the sync's)
     */
    public static PinterestRoute configure(CamelContext context, TokenProvider tokens, PinterestClient.Options options) {
        return configure(context, tokens, options, null);
    }

    /** @param owned the context the route stops when closed, or null when it is not its own */
    private static PinterestRoute configure(CamelContext context, TokenProvider tokens, PinterestClient.Options options,
                                            CamelContext owned) {
        context.getRegistry().bind("pinterestCalls", new PinterestCalls(tokens, options.retry(), options.onStatus(),
                options.stopping(), Clock.systemUTC()));
        context.getRegistry().bind("pinterestHeaders", new PinterestHeaders());
        context.getRegistry().bind("pinterestJson", PinterestClient.JSON);
        ((PropertiesComponent) context.getPropertiesComponent()).addOverrideProperty("pinterest.write-interval-ms",
                Long.toString(PinterestCalls.writeIntervalMillis(options.retry())));
        for (String scheme : List.of("http", "https")) {
            HttpComponent http = context.getComponent(scheme, HttpComponent.class);
            http.setConnectTimeout(options.connectTimeout().toMillis());
            http.setResponseTimeout(options.requestTimeout().toMillis());
            http.setSoTimeout(options.requestTimeout().toMillis());
            http.setAutomaticRetriesDisabled(true);
            http.setRedirectHandlingDisabled(true);
            http.setFollowRedirects(false);
            http.setContentCompressionDisabled(true);
        }
        PinterestRoute route = new PinterestRoute(context.createProducerTemplate(), owned);
        context.getRegistry().bind("pinterestRoute", route);
        return route;
    }

    /**
     * A client on a Camel context of its own that holds only the {@code pinterest} route, for the commands that run
     * no sync and for tests; closing the client's route stops it.
     */
    public static Standalone standalone(URI apiUrl, String adAccountId, TokenProvider tokens, PinterestClient.Options options) {
        PinterestRoute route = start(apiUrl, tokens, options);
        return new Standalone(new PinterestClient(route, adAccountId), route);
    }

    /**
     * The token endpoint's calls, through a {@code pinterest} route of their own: tokens are needed before the sync's
     * routes start (a refresh token is exchanged at once), and by the {@code auth} command, which runs no sync.
     */
    public static PinterestOAuth oauth(URI tokenUrl, String clientId, String clientSecret, Duration connectTimeout,
                                       Duration requestTimeout) {
        // Token calls are never retried nor paced: these settings only satisfy the route's placeholders.
        PinterestRoute route = start(tokenUrl, null, new PinterestClient.Options(connectTimeout, requestTimeout, RetrySettings.ONCE,
                status -> { }, () -> false));
        return new PinterestOAuth(route, tokenUrl, clientId, clientSecret);
    }

    private static PinterestRoute start(URI apiUrl, TokenProvider tokens, PinterestClient.Options options) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getCamelContextExtension().setName("pinterest");
        String base = apiUrl.toString();
        PropertiesComponent properties = (PropertiesComponent) context.getPropertiesComponent();
        properties.addOverrideProperty("pinterest.api-url", base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        properties.addOverrideProperty("pinterest.retry-base-delay-ms", Long.toString(options.retry().baseDelay().toMillis()));
        properties.addOverrideProperty("pinterest.retry-max-delay-ms", Long.toString(options.retry().maxDelay().toMillis()));
        PinterestRoute route = configure(context, tokens, options, context);
        try {
            PluginHelper.getRoutesLoader(context).loadRoutes(PluginHelper.getResourceLoader(context).resolveResource(ROUTES));
            context.start();
        } catch (Exception e) {
            context.stop();
            throw new IllegalStateException("cannot start the pinterest route: " + e.getMessage(), e);
        }
        return route;
    }

    /** A client and the route it calls through. */
    public record Standalone(PinterestClient client, PinterestRoute route) implements AutoCloseable {
        @Override
        public void close() {
            route.close();
        }
    }

    @Override
    public Object call(Call call) {
        Exchange done = producer.send("direct:pinterest", exchange -> exchange.setProperty(PinterestCalls.CALL, call));
        Exception failure = done.getException();
        if (failure == null) {
            return done.getMessage().getBody();
        }
        Throwable cause = failure instanceof RuntimeCamelException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw new IllegalStateException(call.name() + ": " + cause.getMessage(), cause);
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.stop();
        }
    }
}
