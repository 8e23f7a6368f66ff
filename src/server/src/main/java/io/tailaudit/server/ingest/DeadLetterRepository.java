package io.tailaudit.server.ingest;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Recent rejected records, newest first, keyset-paginated by id. */
@ApplicationScoped
public class DeadLetterRepository implements PanacheRepository<DeadLetter> {

    public List<DeadLetter> recent(Optional<String> reason, Optional<Long> beforeId, int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        Parameters p = new Parameters();
        reason.ifPresent(r -> {
            q.append(" and reason = :reason");
            p.and("reason", r);
        });
        beforeId.ifPresent(id -> {
            q.append(" and id < :before");
            p.and("before", id);
        });
        return find(q + " order by id desc", p).page(0, limit).list();
    }

    /** Rejected records per reason, most frequent first. */
    public Map<String, Long> countsByReason() {
        List<Object[]> rows = getEntityManager()
                .createQuery("select d.reason, count(d) from DeadLetter d group by d.reason order by count(d) desc",
                        Object[].class)
                .getResultList();
        Map<String, Long> counts = new LinkedHashMap<>();
        rows.forEach(r -> counts.put((String) r[0], (Long) r[1]));
        return counts;
    }
}
