package dev.oauthgw.grant;

/** A change that {@link GrantChange}'s table does not allow from the grant's state: a programming error. */
public class GrantTransitionRefused extends IllegalStateException {

    private final GrantChange change;
    private final GrantState from;

    public GrantTransitionRefused(GrantChange change, GrantState from) {
        super("A grant " + (from == null ? "that does not exist yet" : "in state " + from) + " cannot be " + change);
        this.change = change;
        this.from = from;
    }

    public GrantChange change() {
        return change;
    }

    public GrantState from() {
        return from;
    }
}
