package dev.winch.scaler;

import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;

/**
 * The replica count a scale request asks for, within its bounds, computed without I/O.
 *
 * @param from    replicas now
 * @param to      replicas wanted
 * @param clamped the full amount would have passed a bound, so the bound was taken
 */
public record ScalePlan(int from, int to, boolean clamped) {

    public static ScalePlan plan(int current, ServiceScaleRequested request) {
        int wanted = request.action() == ScaleAction.UP
                ? current + request.amount()
                : current - request.amount();
        int bounded = Math.max(request.min(), Math.min(request.max(), wanted));
        // A workload already outside the bounds is not pulled back by a request going the other way.
        if (request.action() == ScaleAction.UP) {
            bounded = Math.max(bounded, current);
        } else {
            bounded = Math.min(bounded, current);
        }
        return new ScalePlan(current, bounded, bounded != wanted);
    }

    public boolean changes() {
        return from != to;
    }
}
