package dev.winch.gateway.console;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * When a browser test fails, keeps a screenshot and the page's DOM under {@code target/console-screenshots/},
 * named after the test: what the operator would have seen. {@code -Dwinch.console.screenshots=all} keeps them for
 * every test, to look at the pages.
 */
public final class ScreenshotOnFailure implements AfterTestExecutionCallback {

    /** A test class whose browser the extension may photograph. */
    public interface WithBrowser {
        Browser browser();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws Exception {
        boolean always = "all".equals(System.getProperty("winch.console.screenshots"));
        if (context.getExecutionException().isEmpty() && !always) {
            return;
        }
        Object test = context.getRequiredTestInstance();
        if (!(test instanceof WithBrowser holder) || holder.browser() == null) {
            return;
        }
        String name = context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName();
        try {
            holder.browser().saveEvidence(Path.of("target", "console-screenshots"), name);
        } catch (Exception e) {
            if (context.getExecutionException().isPresent()) {
                context.getExecutionException().get().addSuppressed(e);
            } else {
                throw e;
            }
        }
    }
}
