package io.audiencesync;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.TemplatedRouteDefinition;

import java.util.List;

/**
 * Each sync's routes, made from the route templates of {@code routes/} ({@code routeTemplate}): per sync one file
 * source, one snapshot run, its send routes, and its query and resume routes as its settings ask, each with the
 * sync's stages as local beans and its settings as parameters. The route ids carry the sync's id
 * ({@code snapshot-users-1}), so Camel's own route meters, health and management show each sync. The shared
 * {@code pinterest} route is a plain route of its own.
 */
final class SyncRoutes extends RouteBuilder {

    private final List<SyncBeans> syncs;

    SyncRoutes(List<SyncBeans> syncs) {
        this.syncs = syncs;
    }

    @Override
    public void configure() {
        for (SyncBeans sync : syncs) {
            for (String template : sync.templates()) {
                TemplatedRouteDefinition route = templatedRoute(template).routeId(template + "-" + sync.settings().id());
                sync.parameters().forEach(route::parameter);
                sync.locals().forEach(route::bean);
            }
        }
    }
}
