package dev.winch.gateway.payload;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Reads one registry's push webhook into the shared {@link PushedImage}. One implementation per registry, each
 * with a real sample payload in {@code src/test/resources/payloads/}, registered by its format name in
 * {@link Payloads}.
 */
public interface RegistryPayload {

    /**
     * @param body    the parsed JSON body (an object)
     * @param request the request, for what the payload alone does not say (e.g. Aliyun's {@code net_type})
     * @return the pushed images, usually one; some registries batch several pushes (or tags) in one delivery,
     *         and a delivery about something other than a push yields none
     * @throws InvalidPayloadException naming every missing or invalid field by its path
     */
    List<PushedImage> read(JsonNode body, HookRequest request) throws InvalidPayloadException;
}
