package com.example.app;

import java.util.List;
import java.util.*;
import static java.lang.Math.max;

/**
 * Handles user accounts.
 */
@Service
public class AccountService extends BaseService {
    private final List<String> names;

    /** Creates the service. */
    public AccountService(List<String> names) {
        this.names = names;
    }

    @Override
    public int count(
            String prefix) {
        return max(0, names.size());
    }

    interface Listener {
        void onChange(String name);
    }

    enum State { OPEN, CLOSED }

    record Pair(String a, String b) {}
}
