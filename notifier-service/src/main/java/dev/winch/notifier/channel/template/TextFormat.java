package dev.winch.notifier.channel.template;

/**
 * What a rendered message is read as, and so how the values put into it are escaped. Escaping is the template
 * engine's own autoescaping, with one strategy per format; the JSON around a chat message is built by a JSON
 * writer, never by the template, so any value keeps the body valid JSON.
 */
public enum TextFormat {
    /**
     * Markdown of DingTalk, WeCom, Feishu, Teams and BearyChat: line breaks in a value become spaces, so a value
     * cannot start a heading, a list item or a quote, or break the message's layout.
     */
    MARKDOWN("markdown"),
    /**
     * Slack's mrkdwn: {@code &}, {@code <} and {@code >} as entities (Slack's own rule: they would otherwise start
     * a link or a mention), and line breaks as spaces.
     */
    SLACK("slack"),
    /** HTML for mail: the engine's HTML escaping. */
    HTML("html"),
    /** One line of plain text (a title, a mail subject): line breaks as spaces. */
    LINE("line"),
    /** Plain text (the text part of a mail): values as they are. */
    TEXT("text");

    private final String strategy;

    TextFormat(String strategy) {
        this.strategy = strategy;
    }

    String strategy() {
        return strategy;
    }
}
