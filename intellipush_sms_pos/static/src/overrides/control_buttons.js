import { patch } from "@web/core/utils/patch";
import { ControlButtons } from "@point_of_sale/app/screens/product_screen/control_buttons/control_buttons";
import { QuickSmsDialog } from "@intellipush_sms_pos/app/quick_sms_dialog/quick_sms_dialog";

patch(ControlButtons.prototype, {
    intellipushSendSms() {
        this.props.close?.();
        this.dialog.add(QuickSmsDialog, { partner: this.partner });
    },
});
