package dev.winch.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.invisibilityOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import dev.winch.common.event.ActionResult;
import dev.winch.common.event.Event;
import dev.winch.common.event.EventCodec;
import dev.winch.common.event.Outcome;
import dev.winch.common.event.ScaleAction;
import dev.winch.common.event.ServiceScaleRequested;
import dev.winch.common.event.Topics;
import dev.winch.common.event.WorkloadRef;
import dev.winch.gateway.GatewayTopics;
import dev.winch.gateway.Http;
import dev.winch.gateway.RunningGateway;
import dev.winch.testkit.KafkaBroker;
import dev.winch.testkit.KafkaBrokerExtension;
import dev.winch.testkit.WithKafka;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's headless Chromium) against a real gateway and the real broker, as an
 * operator uses it: sign in, create a receiver, correct a field the API refused, copy the trigger URL, fire it,
 * watch the delivery turn applied without reloading, open the event, redrive a dead letter, delete the receiver.
 * Worker results are published on {@code winch.results} by the test, as a worker would.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ScreenshotOnFailure.class)
class ConsoleBrowserIT implements ScreenshotOnFailure.WithBrowser {

    private static final String ADMIN_TOKEN = "admin-" + KafkaBrokerExtension.uniqueName("console");
    private static final String SCALE_DLQ = Topics.SERVICE_SCALE + ".dlq";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Http http = new Http();
    private String bootstrap;
    private RunningGateway gateway;
    private Browser browser;
    private ChromeDriver driver;
    private WebDriverWait wait;

    @BeforeAll
    void start(KafkaBroker broker) throws Exception {
        bootstrap = broker.bootstrapServers();
        GatewayTopics.create(broker);
        broker.createTopic(SCALE_DLQ, 1);
        gateway = RunningGateway.start(bootstrap, Map.of("WINCH_ADMIN_TOKEN", ADMIN_TOKEN));
        browser = Browser.start(1280, 900);
        driver = browser.driver();
        wait = browser.waitUpTo(WAIT);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Override
    public Browser browser() {
        return browser;
    }

    /** Every test starts as a new browser session: no token kept. */
    @BeforeEach
    void newSession() {
        driver.manage().window().setSize(new Dimension(1280, 900));
        driver.get(console(""));
        driver.executeScript("sessionStorage.clear()");
        driver.navigate().refresh();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private String console(String hash) {
        return gateway.uri("/console/").toString() + hash;
    }

    private void signIn() {
        WebElement token = wait.until(visibilityOfElementLocated(By.id("login-token")));
        token.sendKeys(ADMIN_TOKEN, Keys.ENTER);
        wait.until(invisibilityOfElementLocated(By.id("login-form")));
    }

    private void open(String hash) {
        driver.get(console(hash));
    }

    private WebElement heading(String text) {
        return wait.until(textToBePresentInElementLocated(By.cssSelector("main h1"), text))
                ? driver.findElement(By.cssSelector("main h1")) : null;
    }

    /** Reads an element of a live page, looking again if the page replaced it meanwhile. */
    private <T> T read(By locator, java.util.function.Function<WebElement, T> reader) {
        return wait.until(d -> reader.apply(d.findElement(locator)));
    }

    private void type(String path, String value) {
        WebElement input = driver.findElement(By.cssSelector("[data-path='" + path + "']"));
        input.clear();
        input.sendKeys(value);
    }

    private JsonObject adminApi(String method, String path, String body) {
        HttpRequest.Builder request = Http.to(gateway.uri("/api/v1" + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.replace('\'', '"')));
        }
        HttpResponse<String> response = http.send(request);
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                "bootstrap.servers", bootstrap, "acks", "all",
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName()));
    }

    /** What a scaler reports after acting on the event. */
    private void publishResult(String eventId, String receiver, Outcome outcome, String reason,
            Map<String, String> details) throws Exception {
        Instant now = Instant.now();
        ActionResult result = new ActionResult(eventId, "dev.winch.service.scale.requested", receiver,
                "demo/deployment/web", outcome, reason, details, now, now, "scaler");
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new EventCodec().toRecord(Event.create(URI.create("/winch/scaler"), result,
                    Clock.systemUTC()))).get(30, TimeUnit.SECONDS);
        }
    }

    // ---- tests ---------------------------------------------------------------------------------------------

    @Test
    void withoutTheTokenTheConsoleShowsTheLoginFormAndRefusesAWrongToken() {
        assertThat(wait.until(visibilityOfElementLocated(By.id("login-form"))).isDisplayed()).isTrue();
        assertThat(driver.findElements(By.id("receivers"))).as("no data before signing in").isEmpty();

        driver.findElement(By.id("login-token")).sendKeys("not-the-admin-token", Keys.ENTER);
        assertThat(wait.until(visibilityOfElementLocated(By.id("login-error"))).getText())
                .contains("refused");
        assertThat(driver.findElement(By.id("login-token")).getAttribute("aria-invalid")).isEqualTo("true");

        signIn();
        heading("Receivers");
        assertThat(driver.getCurrentUrl()).doesNotContain(ADMIN_TOKEN);
        assertThat(driver.manage().getCookies()).as("the bearer header authenticates, not a cookie").isEmpty();
        assertThat(driver.executeScript("return sessionStorage.getItem('winch.adminToken')")).isEqualTo(ADMIN_TOKEN);
        assertThat(driver.getPageSource()).doesNotContain(ADMIN_TOKEN);

        driver.findElement(By.id("logout")).click();
        wait.until(visibilityOfElementLocated(By.id("login-form")));
        assertThat(driver.executeScript("return sessionStorage.getItem('winch.adminToken')")).isNull();
    }

    @Test
    void anOperatorCreatesAReceiverFiresItWatchesItApplyAndDeletesIt() throws Exception {
        String id = KafkaBrokerExtension.uniqueName("web-up");
        signIn();
        heading("Receivers");
        driver.findElement(By.linkText("New receiver")).click();
        heading("New receiver");

        type("id", id);
        type("name", "CPU high: two more web pods");
        new Select(driver.findElement(By.cssSelector("[data-path=kind]"))).selectByValue("scaleService");
        type("scaleService.namespace", "Not_A_Namespace");
        type("scaleService.workload", "deployment/web");
        type("scaleService.amount", "2");
        type("scaleService.min", "1");
        type("scaleService.max", "10");
        driver.findElement(By.cssSelector("#receiver-form button[type=submit]")).click();

        // The API's field error, next to the field it names; nothing was created.
        WebElement error = wait.until(visibilityOfElementLocated(By.id("f-scaleService-namespace-error")));
        assertThat(error.getText()).isNotBlank();
        assertThat(error.getAttribute("data-field")).isEqualTo("scaleService.namespace");
        WebElement namespace = driver.findElement(By.cssSelector("[data-path='scaleService.namespace']"));
        assertThat(namespace.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(namespace.getAttribute("aria-describedby")).contains("f-scaleService-namespace-error");
        assertThat(driver.switchTo().activeElement()).as("focus moves to the field").isEqualTo(namespace);
        assertThat(http.send(Http.to(gateway.uri("/api/v1/receivers/" + id))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)).statusCode()).isEqualTo(404);

        type("scaleService.namespace", "demo");
        driver.findElement(By.cssSelector("#receiver-form button[type=submit]")).click();

        // The trigger URL with its token, once, and the snippets that carry it.
        WebElement triggerField = wait.until(visibilityOfElementLocated(By.id("trigger-url")));
        String triggerUrl = triggerField.getAttribute("value");
        assertThat(triggerUrl).startsWith(gateway.uri("/hooks/" + id + "?token=").toString());
        String token = triggerUrl.substring(triggerUrl.indexOf("?token=") + 7);
        assertThat(driver.findElement(By.id("snippet-alertmanager")).getText())
                .contains("webhook_configs").contains("url: '" + triggerUrl + "'");
        assertThat(driver.findElement(By.id("snippet-registries")).getText())
                .contains("Docker Hub").contains("Harbor").contains("Aliyun").contains(triggerUrl);
        assertThat(driver.findElement(By.id("snippet-curl")).getText()).contains("curl -i -X POST '" + triggerUrl + "'");
        driver.setPermission("clipboard-read", "granted");
        driver.setPermission("clipboard-write", "granted");
        driver.findElement(By.cssSelector("button[aria-label='Copy Trigger URL with token']")).click();
        wait.until(textToBePresentInElementLocated(By.id("status"), "Copied"));
        Object clipboard = driver.executeAsyncScript(
                "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('error: ' + e));");
        assertThat(clipboard).isEqualTo(triggerUrl);

        // Shown once: the list, opened again, no longer has it.
        open("#/deliveries");
        open("#/receivers");
        wait.until(visibilityOfElementLocated(By.cssSelector("tr[data-receiver-id='" + id + "']")));
        assertThat(driver.findElements(By.id("trigger-url"))).isEmpty();
        assertThat(driver.getPageSource()).doesNotContain(token);
        WebElement row = driver.findElement(By.cssSelector("tr[data-receiver-id='" + id + "']"));
        assertThat(row.getText()).contains("scaleService").contains("demo/deployment/web").contains("token");

        // Deliveries of this receiver, live.
        open("#/deliveries?receiver=" + id);
        heading("Deliveries");
        wait.until(visibilityOfElementLocated(By.id("deliveries-empty")));
        wait.until(textToBePresentInElementLocated(By.id("live"), "as they happen"));
        driver.executeScript("window.notReloaded = true");

        String eventId = Http.eventIds(http.send(Http.to(URI.create(triggerUrl))
                .POST(HttpRequest.BodyPublishers.noBody()))).get(0);
        By deliveryRow = By.cssSelector("#deliveries tr[data-event-id='" + eventId + "']");
        wait.until(visibilityOfElementLocated(deliveryRow));
        assertThat(this.<String>read(deliveryRow, tr -> tr.getAttribute("data-status"))).isEqualTo("accepted");
        String secondId = Http.eventIds(http.send(Http.to(URI.create(triggerUrl))
                .POST(HttpRequest.BodyPublishers.noBody()))).get(0);
        By secondRow = By.cssSelector("#deliveries tr[data-event-id='" + secondId + "']");
        wait.until(visibilityOfElementLocated(secondRow));
        assertThat(this.<String>read(By.cssSelector("#deliveries tbody tr"), tr -> tr.getAttribute("data-event-id")))
                .as("newest first").isEqualTo(secondId);

        // The scaler folds both requests into one write and reports each.
        Map<String, String> details = Map.of("from", "2", "to", "6", "foldedEventIds", eventId + "," + secondId);
        publishResult(eventId, id, Outcome.APPLIED, "scaled demo/deployment/web from 2 to 6", details);
        publishResult(secondId, id, Outcome.APPLIED, "scaled demo/deployment/web from 2 to 6", details);
        wait.until(attributeToBe(deliveryRow, "data-status", "applied"));
        wait.until(attributeToBe(secondRow, "data-status", "applied"));
        assertThat(this.<String>read(deliveryRow, WebElement::getText)).contains("scaled demo/deployment/web from 2 to 6");
        assertThat(this.<Integer>read(deliveryRow, tr -> tr.findElements(By.cssSelector(".folded a[data-event-id='" + secondId
                + "']")).size())).as("the folded event is linked").isEqualTo(1);
        assertThat(driver.executeScript("return window.notReloaded")).as("the page was not reloaded").isEqualTo(true);

        // The filter by outcome, through the form.
        new Select(driver.findElement(By.cssSelector("#delivery-filter [name=status]"))).selectByValue("failed");
        driver.findElement(By.cssSelector("#delivery-filter button[type=submit]")).click();
        wait.until(visibilityOfElementLocated(By.id("deliveries-empty")));
        assertThat(driver.getCurrentUrl()).contains("status=failed").contains("receiver=" + id);
        new Select(driver.findElement(By.cssSelector("#delivery-filter [name=status]"))).selectByValue("applied");
        driver.findElement(By.cssSelector("#delivery-filter button[type=submit]")).click();
        wait.until(visibilityOfElementLocated(deliveryRow));

        // The event page: the whole timeline and the request's metadata, never its secrets.
        wait.until(d -> {
            d.findElement(deliveryRow).findElement(By.cssSelector("a[data-event-id='" + eventId + "']")).click();
            return true;
        });
        heading("Event " + eventId);
        wait.until(visibilityOfElementLocated(By.cssSelector("#timeline li[data-outcome=APPLIED]")));
        assertThat(driver.findElement(By.id("timeline")).getText()).contains("accepted").contains("scaler")
                .contains("scaled demo/deployment/web from 2 to 6");
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("Java-http-client");
        assertThat(driver.getPageSource()).doesNotContain(token).doesNotContain(ADMIN_TOKEN);

        // The receivers list shows the last delivery.
        open("#/receivers");
        By lastDelivery = By.cssSelector("tr[data-receiver-id='" + id + "'] td[data-label='Last delivery'] .badge");
        wait.until(visibilityOfElementLocated(lastDelivery));
        assertThat(driver.findElement(lastDelivery).getText()).isEqualTo("applied");

        // Delete, confirmed in a dialog; the trigger URL answers 404 from then on.
        driver.findElement(By.cssSelector("button[aria-label='Delete " + id + "']")).click();
        wait.until(visibilityOfElementLocated(By.cssSelector("dialog [data-confirm]"))).click();
        wait.until(invisibilityOfElementLocated(By.cssSelector("tr[data-receiver-id='" + id + "']")));
        wait.until(textToBePresentInElementLocated(By.id("status"), "Receiver " + id + " deleted"));
        Awaitility.await().atMost(WAIT).until(() ->
                http.send(Http.to(URI.create(triggerUrl)).POST(HttpRequest.BodyPublishers.noBody())).statusCode() == 404);
    }

    @Test
    void editingAReceiverShowsRouteErrorsOnTheNotifyFieldAndKeepsTheToken() {
        String id = KafkaBrokerExtension.uniqueName("edit");
        String token = "edit-token-" + id;
        adminApi("POST", "/receivers", new JsonObject().put("id", id).put("kind", "scaleService").put("token", token)
                .put("scaleService", new JsonObject().put("namespace", "demo").put("workload", "deployment/web")
                        .put("action", "down").put("max", 3))
                .encode());
        signIn();
        wait.until(visibilityOfElementLocated(By.cssSelector("a[aria-label='Edit " + id + "']"))).click();
        heading("Edit receiver " + id);
        assertThat(driver.findElement(By.cssSelector("[data-path=kind]")).isEnabled()).as("a kind cannot change")
                .isFalse();
        assertThat(driver.findElement(By.cssSelector("[data-path='scaleService.namespace']")).getAttribute("value"))
                .isEqualTo("demo");

        type("name", "Scale web down");
        type("notify", "ops mail: FAILED");
        driver.findElement(By.cssSelector("#receiver-form button[type=submit]")).click();
        WebElement error = wait.until(visibilityOfElementLocated(By.id("f-notify-error")));
        assertThat(error.getAttribute("data-field")).isEqualTo("notify[0].channel");
        assertThat(error.getText()).startsWith("notify[0].channel: ");
        assertThat(driver.findElement(By.id("form-errors")).getText()).contains("notify[0].channel");

        type("notify", "ops-mail: FAILED, APPLIED");
        driver.findElement(By.cssSelector("#receiver-form button[type=submit]")).click();
        wait.until(textToBePresentInElementLocated(By.id("status"), "Receiver " + id + " saved"));
        By row = By.cssSelector("tr[data-receiver-id='" + id + "']");
        assertThat(wait.until(visibilityOfElementLocated(row)).findElement(By.className("receiver-name")).getText())
                .isEqualTo("Scale web down");
        assertThat(driver.findElements(By.id("trigger-url"))).as("no new token, nothing to show").isEmpty();
        JsonObject saved = adminApi("GET", "/receivers/" + id, null);
        assertThat(saved.getJsonArray("notify").getJsonObject(0).getString("channel")).isEqualTo("ops-mail");
        assertThat(http.send(Http.to(gateway.uri("/hooks/" + id + "?token=" + token))
                .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).as("the old token still triggers")
                .isEqualTo(202);
        adminApi("DELETE", "/receivers/" + id, null);
    }

    @Test
    void withoutAnAdminTokenTheConsoleOnLoopbackNeedsNoSignIn(KafkaBroker broker) throws Exception {
        try (RunningGateway open = RunningGateway.start(broker.bootstrapServers(), Map.of())) {
            driver.get(open.uri("/console/#/receivers").toString());
            heading("Receivers");
            assertThat(driver.findElements(By.id("login-form"))).isEmpty();
            assertThat(driver.findElement(By.id("logout")).isDisplayed()).isFalse();
        }
    }

    @Test
    void aReceiverNamedLikeMarkupShowsAsText() {
        String id = KafkaBrokerExtension.uniqueName("markup");
        String name = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
        adminApi("POST", "/receivers", new JsonObject().put("id", id).put("name", name).put("kind", "scaleService")
                .put("scaleService", new JsonObject().put("namespace", "demo").put("workload", "deployment/web")
                        .put("action", "up").put("max", 3))
                .encode());
        signIn();
        By row = By.cssSelector("tr[data-receiver-id='" + id + "']");
        wait.until(visibilityOfElementLocated(row));

        assertThat(driver.findElement(row).findElement(By.className("receiver-name")).getText()).isEqualTo(name);
        assertThat(driver.findElement(row).findElements(By.tagName("img"))).isEmpty();
        assertThat(driver.findElement(row).findElements(By.tagName("script"))).isEmpty();
        assertThat(driver.executeScript("return window.pwned === undefined")).isEqualTo(true);

        // The delete dialog opens on Cancel's focus; Escape closes it and deletes nothing.
        driver.findElement(By.cssSelector("button[aria-label='Delete " + id + "']")).click();
        wait.until(visibilityOfElementLocated(By.cssSelector("dialog [data-confirm]")));
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Cancel");
        driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        wait.until(invisibilityOfElementLocated(By.tagName("dialog")));
        assertThat(driver.findElements(row)).hasSize(1);
        assertThat(http.send(Http.to(gateway.uri("/api/v1/receivers/" + id))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)).statusCode()).isEqualTo(200);

        adminApi("DELETE", "/receivers/" + id, null);
    }

    @Test
    void aDeadLetterIsOpenedAndRedrivenToItsTopic() throws Exception {
        String eventId = java.util.UUID.randomUUID().toString();
        Event<ServiceScaleRequested> event = new Event<>(eventId, URI.create("/winch/gateway"), Instant.now(),
                new ServiceScaleRequested("dlq-test", new WorkloadRef("demo", "deployment", "web"), ScaleAction.UP,
                        2, 1, 6, 0, null));
        ProducerRecord<String, byte[]> original = new EventCodec().toRecord(event);
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(SCALE_DLQ, null, original.key(), original.value(),
                original.headers());
        String reason = "poison: the scaler could not read this record after 5 attempts";
        dead.headers().add("winch_dlq_reason", reason.getBytes(StandardCharsets.UTF_8))
                .add("winch_dlq_topic", Topics.SERVICE_SCALE.getBytes(StandardCharsets.UTF_8))
                .add("winch_dlq_partition", "0".getBytes(StandardCharsets.UTF_8))
                .add("winch_dlq_offset", "17".getBytes(StandardCharsets.UTF_8))
                .add("winch_dlq_group", "winch-scaler".getBytes(StandardCharsets.UTF_8))
                .add("winch_dlq_attempts", "5".getBytes(StandardCharsets.UTF_8));
        RecordMetadata written;
        try (KafkaProducer<String, byte[]> producer = producer()) {
            written = producer.send(dead).get(30, TimeUnit.SECONDS);
        }

        signIn();
        driver.findElement(By.linkText("Dead letters")).click();
        heading("Dead letters");
        wait.until(visibilityOfElementLocated(By.cssSelector("a[aria-label='Open " + SCALE_DLQ + "']"))).click();
        heading("Dead letters of " + SCALE_DLQ);
        By record = By.cssSelector("article.record[data-partition='0'][data-offset='" + written.offset() + "']");
        WebElement article = wait.until(visibilityOfElementLocated(record));
        assertThat(article.findElement(By.className("dlq-reason")).getText()).isEqualTo(reason);
        article.findElement(By.tagName("summary")).click();
        assertThat(article.getText()).contains("winch_dlq_group").contains("winch-scaler").contains("winch_dlq_attempts");
        assertThat(article.findElement(By.className("dlq-value")).getText()).contains("deployment");

        article.findElement(By.className("redrive")).click();
        wait.until(visibilityOfElementLocated(By.cssSelector("dialog [data-confirm]"))).click();
        wait.until(textToBePresentInElementLocated(
                By.cssSelector("article.record[data-offset='" + written.offset() + "'] .redrive-outcome"),
                "Redriven to " + Topics.SERVICE_SCALE));

        // The record is back on its topic, marked as redriven from the dead letter.
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", bootstrap, "group.id", KafkaBrokerExtension.uniqueName("redrive-check"),
                "auto.offset.reset", "earliest", "enable.auto.commit", "false",
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.SERVICE_SCALE).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            String from = SCALE_DLQ + "/0/" + written.offset();
            Awaitility.await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Header header = r.headers().lastHeader("winch_redriven_from");
                    if (header != null && new String(header.value(), StandardCharsets.UTF_8).equals(from)) {
                        assertThat(r.value()).isEqualTo(original.value());
                        return true;
                    }
                }
                return false;
            });
        }
    }

    @Test
    void theHealthPageShowsEachServicesLagAndTheDeadLettersPerTopic() throws Exception {
        // A scaler group that committed offset 0 on every partition: its lag is everything on the topic.
        String group = KafkaBrokerExtension.uniqueName("winch-scaler");
        long lag;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
                KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.SERVICE_SCALE, "demo/deployment/web", new byte[0]))
                    .get(30, TimeUnit.SECONDS);
            List<TopicPartition> partitions = admin.describeTopics(List.of(Topics.SERVICE_SCALE)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(Topics.SERVICE_SCALE).partitions().stream()
                    .map(p -> new TopicPartition(Topics.SERVICE_SCALE, p.partition())).toList();
            Map<TopicPartition, OffsetAndMetadata> committed = new java.util.HashMap<>();
            partitions.forEach(p -> committed.put(p, new OffsetAndMetadata(0)));
            admin.alterConsumerGroupOffsets(group, committed).all().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
            lag = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        }
        signIn();
        driver.findElement(By.linkText("Health")).click();
        heading("Health");
        WebElement service = wait.until(visibilityOfElementLocated(
                By.cssSelector("#services tr[data-group='" + group + "']")));
        assertThat(service.findElement(By.cssSelector("td[data-label='Lag']")).getText()).isEqualTo(String.valueOf(lag));
        assertThat(service.findElement(By.cssSelector("td[data-label='Topics']")).getText()).contains(Topics.SERVICE_SCALE);
        assertThat(service.findElement(By.cssSelector("td[data-label='Ready']")).getText())
                .as("no member consumes").isEqualTo("no");
        WebElement deadLetters = wait.until(visibilityOfElementLocated(
                By.cssSelector("#health-deadletters tr[data-topic='" + SCALE_DLQ + "']")));
        assertThat(deadLetters.getText()).contains(SCALE_DLQ);
        assertThat(driver.findElements(By.cssSelector(".notice.error"))).isEmpty();
    }

    @Test
    void everyPageFitsAPhoneAndEveryFieldHasALabel() {
        signIn();
        driver.manage().window().setSize(new Dimension(390, 844));
        for (String page : List.of("#/receivers", "#/receivers/new", "#/deliveries", "#/deadletters", "#/health")) {
            open(page);
            wait.until(visibilityOfElementLocated(By.cssSelector("main h1")));
            assertThat(driver.executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
                    .as("no sideways scrolling on %s", page).isEqualTo(true);
            assertThat(driver.executeScript("return Array.from(document.querySelectorAll('input, select, textarea'))"
                    + ".filter(e => !e.labels || e.labels.length === 0).map(e => e.id || e.name)"))
                    .as("unlabelled fields on %s", page).asList().isEmpty();
        }
        // The first stop of the Tab key is the skip link; Enter on it moves focus past the navigation.
        open("#/receivers");
        heading("Receivers");
        assertThat(driver.executeScript("return Array.from(document.querySelectorAll("
                + "'a[href], button:not([hidden]), input, select, textarea, [tabindex]:not([tabindex=\"-1\"])'))[0]"
                + ".textContent")).isEqualTo("Skip to content");
        WebElement skip = driver.findElement(By.className("skip"));
        driver.executeScript("arguments[0].focus()", skip);
        assertThat(skip.getRect().getX()).as("visible when focused").isGreaterThanOrEqualTo(0);
        skip.sendKeys(Keys.ENTER);
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("main");
    }
}
