package io.tailaudit.server.tail;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
class TaskSettingsRepository implements PanacheRepositoryBase<TaskSettingsRow, String> {
}
