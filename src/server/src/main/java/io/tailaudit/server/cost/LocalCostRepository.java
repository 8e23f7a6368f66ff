package io.tailaudit.server.cost;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
class LocalCostRepository implements PanacheRepositoryBase<LocalCost, Integer> {
}
