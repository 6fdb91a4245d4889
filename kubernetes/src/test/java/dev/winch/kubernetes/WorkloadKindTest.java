package dev.winch.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winch.common.event.WorkloadRef;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

class WorkloadKindTest {

    private static Deployment deployment(Integer replicas) {
        return new DeploymentBuilder()
                .withNewMetadata().withName("web").withNamespace("demo").endMetadata()
                .withNewSpec().withReplicas(replicas)
                  .withNewTemplate().withNewSpec().addNewContainer().withName("web").withImage("team/web:1")
                  .endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    @Test
    void readsTheKindsAsReceiversWriteThem() {
        assertThat(WorkloadKind.of("deployment")).contains(WorkloadKind.DEPLOYMENT);
        assertThat(WorkloadKind.of("statefulset")).contains(WorkloadKind.STATEFULSET);
        assertThat(WorkloadKind.of("daemonset")).contains(WorkloadKind.DAEMONSET);
        assertThat(WorkloadKind.of("replicaset")).contains(WorkloadKind.REPLICASET);
        assertThat(WorkloadKind.of("Deployment")).isEmpty();
        assertThat(WorkloadKind.of("job")).isEmpty();
        assertThat(WorkloadKind.values()).extracting(WorkloadKind::kind)
                .containsExactlyInAnyOrderElementsOf(WorkloadRef.KINDS);
    }

    @Test
    void saysWhatEachKindHas() {
        assertThat(WorkloadKind.values()).filteredOn(WorkloadKind::hasReplicas)
                .containsExactly(WorkloadKind.DEPLOYMENT, WorkloadKind.STATEFULSET, WorkloadKind.REPLICASET);
        assertThat(WorkloadKind.values()).filteredOn(WorkloadKind::hasRolloutStatus)
                .containsExactly(WorkloadKind.DEPLOYMENT, WorkloadKind.STATEFULSET, WorkloadKind.DAEMONSET);
        assertThat(WorkloadKind.values()).allMatch(WorkloadKind::hasPodTemplate);
    }

    @Test
    void knowsTheKindOfAnObject() {
        assertThat(WorkloadKind.of(deployment(1))).contains(WorkloadKind.DEPLOYMENT);
        assertThat(WorkloadKind.of(new StatefulSetBuilder().build())).contains(WorkloadKind.STATEFULSET);
        assertThat(WorkloadKind.of(new JobBuilder().withKind("Job").build())).isEmpty();
        assertThatThrownBy(() -> WorkloadKind.ofWorkload(new JobBuilder().withKind("Job").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a workload: Job");
        assertThat(WorkloadKind.DEPLOYMENT.ref(deployment(1))).isEqualTo(new WorkloadRef("demo", "deployment", "web"));
    }

    @Test
    void anUnsetReplicaCountIsOneAsTheApiServerDefaultsIt() {
        Deployment d = deployment(null);

        assertThat(WorkloadKind.DEPLOYMENT.replicas(d)).isEqualTo(1);
        WorkloadKind.DEPLOYMENT.setReplicas(d, 4);
        assertThat(d.getSpec().getReplicas()).isEqualTo(4);
        assertThat(WorkloadKind.DEPLOYMENT.podTemplate(d).getSpec().getContainers().get(0).getImage())
                .isEqualTo("team/web:1");
    }

    @Test
    void shouldRefuseWhatAKindDoesNotHave() {
        assertThatThrownBy(() -> WorkloadKind.DAEMONSET.replicas(new DaemonSetBuilder().build()))
                .isInstanceOf(UnsupportedOperationException.class).hasMessage("a daemonset has no replica count");
        assertThatThrownBy(() -> WorkloadKind.STATEFULSET.podTemplate(deployment(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a StatefulSet: Deployment");
    }
}
