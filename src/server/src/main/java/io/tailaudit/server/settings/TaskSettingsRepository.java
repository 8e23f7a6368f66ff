package io.tailaudit.server.settings;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
class TaskSettingsRepository implements PanacheRepositoryBase<TaskSettingsRow, String> {
}
