package dev.winch.upgrader.model;

/** One container's image, before and after an upgrade. Equal images mean a restart of the same image. */
public record ContainerChange(String container, String oldImage, String newImage) {

    public boolean imageChanges() {
        return !oldImage.equals(newImage);
    }
}
