package io.audiencesync.pinterest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A customer list and the audience that wraps it (through the audience's {@code rule.customer_list_id}), named as
 * Pinterest users know the pair: {@code Customer List-Users 1, Audience-Users 1}. A list no audience wraps yet
 * stands alone, named by the list only.
 *
 * @param audience null when no audience wraps the list
 */
public record CustomerListAudience(CustomerList list, Audience audience) {

    /** The name {@code audiences} prints and {@code sync.audience} takes. */
    public String name() {
        return audience == null ? list.name() : list.name() + ", " + audience.name();
    }

    /**
     * Pairs every customer list with each CUSTOMER_LIST audience that wraps it, in the lists' order; a list without
     * an audience appears once on its own. Audiences of other types, or of lists not given, are left out.
     */
    public static List<CustomerListAudience> pair(List<CustomerList> lists, List<Audience> audiences) {
        Map<String, List<Audience>> byList = new HashMap<>();
        for (Audience audience : audiences) {
            if ("CUSTOMER_LIST".equals(audience.audienceType()) && audience.customerListId() != null) {
                byList.computeIfAbsent(audience.customerListId(), id -> new ArrayList<>()).add(audience);
            }
        }
        List<CustomerListAudience> pairs = new ArrayList<>();
        for (CustomerList list : lists) {
            List<Audience> wrapping = byList.getOrDefault(list.id(), List.of());
            if (wrapping.isEmpty()) {
                pairs.add(new CustomerListAudience(list, null));
            }
            wrapping.forEach(audience -> pairs.add(new CustomerListAudience(list, audience)));
        }
        return pairs;
    }
}
